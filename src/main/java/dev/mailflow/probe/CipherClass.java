package dev.mailflow.probe;

import java.util.ArrayList;
import java.util.List;

/**
 * The classes of TLS cipher suites the grade tries one by one, the same eight classes as
 * testssl.sh's "-s" (its JSON ids are {@code cipherlist_} and the name), each with the IANA
 * code points of its suites (TLS Cipher Suites registry). A class is "offered" when the
 * server picks one of its suites from a ClientHello that offers only that class. PSK and SRP
 * suites are left out: no server picks them without a shared secret.
 */
enum CipherClass {

    /** No encryption at all (authenticated). */
    NULL("NULL ciphers (no encryption)", new int[] {
        0x0001, 0x0002, 0x003B, 0xC001, 0xC006, 0xC00B, 0xC010}),

    /** No authentication: anonymous Diffie-Hellman. */
    aNULL("anonymous ciphers (no authentication)", new int[] {
        0x0017, 0x0018, 0x0019, 0x001A, 0x001B, 0x0034, 0x003A, 0x0046, 0x006C, 0x006D, 0x0089, 0x009B, 0x00A6,
        0x00A7, 0x00BF, 0x00C5, 0xC015, 0xC016, 0xC017, 0xC018, 0xC019, 0xC046, 0xC047, 0xC05A, 0xC05B, 0xC084,
        0xC085}),

    /** The 40- and 56-bit export suites of the 1990s (FREAK, Logjam). */
    EXPORT("export ciphers", new int[] {
        0x0003, 0x0006, 0x0008, 0x000B, 0x000E, 0x0011, 0x0014, 0x0062, 0x0063, 0x0064, 0x0065}),

    /** Single DES, RC2, RC4 and MD5 (not export). */
    LOW("low: DES, RC2, RC4, MD5", new int[] {
        0x0004, 0x0005, 0x0009, 0x000C, 0x000F, 0x0012, 0x0015, 0x0066, 0xC002, 0xC007, 0xC00C, 0xC011}),

    /** 64-bit blocks: triple DES and IDEA (Sweet32). */
    TRIPLE_DES_IDEA("3DES_IDEA", "triple DES and IDEA (64-bit blocks)", new int[] {
        0x0007, 0x000A, 0x000D, 0x0010, 0x0013, 0x0016, 0xC003, 0xC008, 0xC00D, 0xC012}),

    /** CBC mode with HMAC (AES, Camellia, ARIA, SEED): not broken, but obsolete in TLS 1.3's terms. */
    OBSOLETED("obsoleted CBC ciphers (AES, Camellia, ARIA, SEED)", new int[] {
        0x002F, 0x0030, 0x0031, 0x0032, 0x0033, 0x0035, 0x0036, 0x0037, 0x0038, 0x0039, 0x003C, 0x003D, 0x003E,
        0x003F, 0x0040, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045, 0x0067, 0x0068, 0x0069, 0x006A, 0x006B, 0x0084,
        0x0085, 0x0086, 0x0087, 0x0088, 0x0096, 0x0097, 0x0098, 0x0099, 0x009A, 0x00BA, 0x00BB, 0x00BC, 0x00BD,
        0x00BE, 0x00C0, 0x00C1, 0x00C2, 0x00C3, 0x00C4, 0xC004, 0xC005, 0xC009, 0xC00A, 0xC00E, 0xC00F, 0xC013,
        0xC014, 0xC023, 0xC024, 0xC025, 0xC026, 0xC027, 0xC028, 0xC029, 0xC02A, 0xC03C, 0xC03D, 0xC044, 0xC045,
        0xC048, 0xC049, 0xC04A, 0xC04B, 0xC04C, 0xC04D, 0xC04E, 0xC04F, 0xC072, 0xC073, 0xC074, 0xC075, 0xC076,
        0xC077, 0xC078, 0xC079}),

    /** AEAD suites with a static RSA (or ECDH) key exchange: strong, but no forward secrecy. */
    STRONG_NOFS("strong encryption (AEAD) without forward secrecy", new int[] {
        0x009C, 0x009D, 0x00A0, 0x00A1, 0x00A4, 0x00A5, 0xC02D, 0xC02E, 0xC031, 0xC032, 0xC050, 0xC051, 0xC054,
        0xC055, 0xC058, 0xC059, 0xC05E, 0xC05F, 0xC062, 0xC063, 0xC07A, 0xC07B, 0xC07E, 0xC07F, 0xC082, 0xC083,
        0xC088, 0xC089, 0xC08C, 0xC08D, 0xC09C, 0xC09D, 0xC0A0, 0xC0A1}),

    /** AEAD suites with (EC)DHE: forward secrecy; the TLS 1.3 suites are of this class. */
    STRONG_FS("forward secrecy with strong encryption (AEAD)", new int[] {
        0x009E, 0x009F, 0x00A2, 0x00A3, 0xC02B, 0xC02C, 0xC02F, 0xC030, 0xC052, 0xC053, 0xC056, 0xC057, 0xC05C,
        0xC05D, 0xC060, 0xC061, 0xC07C, 0xC07D, 0xC080, 0xC081, 0xC086, 0xC087, 0xC08A, 0xC08B, 0xC09E, 0xC09F,
        0xC0A2, 0xC0A3, 0xC0AC, 0xC0AD, 0xC0AE, 0xC0AF, 0xCCA8, 0xCCA9, 0xCCAA});

    /** The TLS 1.3 suites (RFC 8446 B.4), all of them forward-secret AEAD. */
    static final int[] TLS13 = {0x1301, 0x1302, 0x1303, 0x1304, 0x1305};

    /** The name in testssl.sh's JSON ({@code cipherlist_...}) and in our report. */
    final String id;
    final String description;
    final int[] suites;

    CipherClass(String description, int[] suites) {
        this(null, description, suites);
    }

    CipherClass(String id, String description, int[] suites) {
        this.id = id == null ? name() : id;
        this.description = description;
        this.suites = suites;
    }

    /** Every suite before TLS 1.3, for the protocol version probes (a server picks what it has). */
    static int[] allLegacy() {
        var all = new ArrayList<Integer>();
        // Preferred first, so that a server honouring the client's order shows its best.
        for (var c : List.of(STRONG_FS, STRONG_NOFS, OBSOLETED, TRIPLE_DES_IDEA, LOW, aNULL, EXPORT, NULL)) {
            for (int s : c.suites) {
                all.add(s);
            }
        }
        return all.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The class of a suite, or null for one we do not know. */
    static CipherClass of(int suite) {
        for (int s : TLS13) {
            if (s == suite) {
                return STRONG_FS;
            }
        }
        for (var c : values()) {
            for (int s : c.suites) {
                if (s == suite) {
                    return c;
                }
            }
        }
        return null;
    }
}
