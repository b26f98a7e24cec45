package dev.mailflow.auth.dkim;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;

/**
 * New signing keys and the DNS record that publishes them (RFC 6376 section 3.6.1 and 3.6.2.2,
 * RFC 8463 section 4): what {@code mailflow dkim keygen} prints.
 */
public final class DkimKeyGenerator {

    /** RFC 8301 section 3.2: signers MUST use at least 1024 bits and SHOULD use 2048. */
    public static final int MIN_RSA_BITS = 1024;
    /** Verifiers must handle up to 4096 bits (RFC 8301 3.2); more would not fit DNS well. */
    public static final int MAX_RSA_BITS = 4096;
    public static final int DEFAULT_RSA_BITS = 2048;
    /** A TXT character-string holds at most 255 octets (RFC 1035 3.3.14). */
    static final int TXT_STRING_MAX = 255;

    private DkimKeyGenerator() {
    }

    /** An RSA key pair of {@code bits} bits (1024 to 4096). */
    public static KeyPair rsa(int bits) {
        if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
            throw new IllegalArgumentException("RSA keys have " + MIN_RSA_BITS + " to " + MAX_RSA_BITS + " bits");
        }
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(bits);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot make RSA keys", e);
        }
    }

    public static KeyPair ed25519() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot make Ed25519 keys", e);
        }
    }

    /** The private key as PKCS#8 PEM text. */
    public static String privateKeyPem(KeyPair pair) {
        return DkimSigningKey.toPem(pair.getPrivate());
    }

    /** The key record: {@code v=DKIM1; k=ed25519; p=...} or {@code v=DKIM1; k=rsa; p=...}. */
    public static String keyRecord(PublicKey key) {
        return DkimKey.recordFor(key);
    }

    /**
     * The record in zone-file form, split into character-strings of at most 255 octets:
     * <pre>s2026._domainkey.example.test. IN TXT ( "v=DKIM1; k=rsa; p=MIIB..." "...IDAQAB" )</pre>
     */
    public static String zoneFileLine(String selector, String domain, String record) {
        var sb = new StringBuilder();
        sb.append(selector).append("._domainkey.").append(domain).append(". IN TXT (");
        List<String> strings = txtStrings(record);
        for (int i = 0; i < strings.size(); i++) {
            sb.append(i == 0 ? " " : "\n    ").append('"').append(strings.get(i)).append('"');
        }
        return sb.append(" )").toString();
    }

    /** The record cut into character-strings of at most 255 octets (a verifier joins them). */
    public static List<String> txtStrings(String record) {
        byte[] b = record.getBytes(StandardCharsets.US_ASCII);
        var out = new ArrayList<String>();
        for (int i = 0; i < b.length; i += TXT_STRING_MAX) {
            out.add(new String(b, i, Math.min(TXT_STRING_MAX, b.length - i), StandardCharsets.US_ASCII));
        }
        return out;
    }
}
