package dev.mailflow.probe;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Locale;

/**
 * What a server's TLS accepts, found the way testssl.sh finds it: after EHLO and STARTTLS on a
 * plain socket, a ClientHello written by hand (RFC 5246 7.4.1.2, RFC 8446 4.1.2) that offers
 * exactly one protocol version or one class of cipher suites, and the server's first answer
 * read back: a ServerHello (which version and suite it picked) or an alert (none of them).
 * The handshake goes no further, so suites the JDK could never negotiate (export, NULL, RC4,
 * SSLv3) can be asked about too.
 */
final class TlsScanner {

    static final int SSL3 = 0x0300;
    static final int TLS10 = 0x0301;
    static final int TLS11 = 0x0302;
    static final int TLS12 = 0x0303;
    static final int TLS13 = 0x0304;

    /** x25519, secp256r1, secp384r1, secp521r1, x448, ffdhe2048, ffdhe3072 (RFC 8446 4.2.7). */
    private static final int[] GROUPS = {0x001D, 0x0017, 0x0018, 0x0019, 0x001E, 0x0100, 0x0101};

    /** RFC 8446 4.2.3, with the SHA-1 and PKCS#1 ones an old server needs. */
    private static final int[] SIGNATURE_ALGORITHMS = {0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805,
        0x0806, 0x0401, 0x0501, 0x0601, 0x0203, 0x0201, 0x0402, 0x0202};

    /** The special random of a HelloRetryRequest (RFC 8446 4.1.3): a TLS 1.3 ServerHello all the same. */
    private static final byte[] HRR_RANDOM = hex(
            "CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C");

    private final String helo;
    private final Duration timeout;
    private final SecureRandom random = new SecureRandom();

    TlsScanner(String helo, Duration timeout) {
        this.helo = helo;
        this.timeout = timeout;
    }

    /**
     * The server's answer to one ClientHello.
     *
     * @param accepted     true when a ServerHello came back
     * @param version      the version it picked (0x0300 to 0x0304), 0 when not accepted
     * @param suite        the suite it picked, or -1
     * @param staplesOcsp  it answered status_request (RFC 6066 8): it staples an OCSP response
     * @param detail       why not accepted (an alert's description, a closed connection)
     */
    record Hello(boolean accepted, int version, int suite, boolean staplesOcsp, String detail) {
        static Hello refused(String detail) {
            return new Hello(false, 0, -1, false, detail);
        }
    }

    /** The plaintext SMTP part failed (no banner, no STARTTLS): nothing can be scanned. */
    static final class NoStartTls extends IOException {
        NoStartTls(String message) {
            super(message);
        }
    }

    /**
     * Offers {@code suites} at protocol {@code version} (TLS 1.3: the TLS 1.3 suites, with
     * supported_versions and an x25519 key share).
     */
    Hello hello(InetSocketAddress address, String serverName, int version, int[] suites) throws IOException {
        try (var socket = startTls(address)) {
            var out = socket.getOutputStream();
            out.write(record(version == SSL3 ? SSL3 : TLS10, clientHello(serverName, version, suites)));
            out.flush();
            return serverHello(socket.getInputStream());
        }
    }

    /** A plain socket on which STARTTLS was accepted, ready for a ClientHello. */
    Socket startTls(InetSocketAddress address) throws IOException {
        var socket = new Socket();
        try {
            socket.connect(address, (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            var in = socket.getInputStream();
            var out = socket.getOutputStream();
            String banner = RawSmtp.reply(in);
            if (!banner.startsWith("220")) {
                throw new NoStartTls("the banner was " + RawSmtp.firstLine(banner));
            }
            RawSmtp.send(out, "EHLO " + helo + "\r\n");
            String ehlo = RawSmtp.reply(in);
            if (!ehlo.startsWith("250") || !offersStartTls(ehlo)) {
                throw new NoStartTls("STARTTLS is not offered");
            }
            RawSmtp.send(out, "STARTTLS\r\n");
            String go = RawSmtp.reply(in);
            if (!go.startsWith("220")) {
                throw new NoStartTls("STARTTLS was answered " + RawSmtp.firstLine(go));
            }
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    static boolean offersStartTls(String ehloReply) {
        for (String line : ehloReply.split("\n")) {
            if (line.length() > 4 && line.substring(4).strip().toUpperCase(Locale.ROOT).equals("STARTTLS")) {
                return true;
            }
        }
        return false;
    }

    private byte[] clientHello(String serverName, int version, int[] suites) throws IOException {
        var body = new ByteArrayOutputStream();
        int legacyVersion = version == TLS13 ? TLS12 : version;
        u16(body, legacyVersion);
        byte[] clientRandom = new byte[32];
        random.nextBytes(clientRandom);
        body.write(clientRandom);
        body.write(0); // no session id
        int[] offered = version == TLS13 ? CipherClass.TLS13 : suites;
        u16(body, offered.length * 2 + 2);
        for (int s : offered) {
            u16(body, s);
        }
        u16(body, 0x00FF); // TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746): old servers want it
        body.write(1);
        body.write(0); // compression: null only
        var ext = new ByteArrayOutputStream();
        if (serverName != null) {
            byte[] name = serverName.getBytes(StandardCharsets.US_ASCII);
            var sni = new ByteArrayOutputStream();
            u16(sni, name.length + 3);
            sni.write(0);
            u16(sni, name.length);
            sni.write(name);
            extension(ext, 0x0000, sni.toByteArray());
        }
        extension(ext, 0x0005, new byte[] {1, 0, 0, 0, 0}); // status_request: OCSP, no ids, no extensions
        var groups = new ByteArrayOutputStream();
        u16(groups, GROUPS.length * 2);
        for (int g : GROUPS) {
            u16(groups, g);
        }
        extension(ext, 0x000A, groups.toByteArray());
        extension(ext, 0x000B, new byte[] {1, 0}); // ec_point_formats: uncompressed
        if (version >= TLS12) {
            var sigs = new ByteArrayOutputStream();
            u16(sigs, SIGNATURE_ALGORITHMS.length * 2);
            for (int a : SIGNATURE_ALGORITHMS) {
                u16(sigs, a);
            }
            extension(ext, 0x000D, sigs.toByteArray());
        }
        if (version == TLS13) {
            extension(ext, 0x002B, new byte[] {2, 0x03, 0x04}); // supported_versions: TLS 1.3 only
            extension(ext, 0x002D, new byte[] {1, 1}); // psk_key_exchange_modes: psk_dhe_ke
            byte[] key = x25519PublicKey();
            var share = new ByteArrayOutputStream();
            u16(share, key.length + 4);
            u16(share, 0x001D);
            u16(share, key.length);
            share.write(key);
            extension(ext, 0x0033, share.toByteArray());
        }
        byte[] extensions = ext.toByteArray();
        u16(body, extensions.length);
        body.write(extensions);
        byte[] b = body.toByteArray();
        var hs = new ByteArrayOutputStream();
        hs.write(1); // client_hello
        u24(hs, b.length);
        hs.write(b);
        return hs.toByteArray();
    }

    private byte[] x25519PublicKey() {
        try {
            byte[] spki = KeyPairGenerator.getInstance("X25519").generateKeyPair().getPublic().getEncoded();
            byte[] raw = new byte[32];
            System.arraycopy(spki, spki.length - 32, raw, 0, 32);
            return raw;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no X25519", e);
        }
    }

    private static byte[] record(int version, byte[] handshake) {
        var r = new ByteArrayOutputStream();
        r.write(0x16);
        u16(r, version);
        u16(r, handshake.length);
        r.writeBytes(handshake);
        return r.toByteArray();
    }

    /** Reads the first handshake message (or alert) the server sends. */
    static Hello serverHello(InputStream raw) throws IOException {
        var in = new DataInputStream(raw);
        var handshake = new ByteArrayOutputStream();
        try {
            // SECURITY: a ServerHello comes in a few records; a server that sends empty or tiny
            // records without end is cut off, not read for ever.
            for (int records = 0; ; records++) {
                if (records >= 64 || handshake.size() > 70_000) {
                    return Hello.refused("no ServerHello in the first 64 records");
                }
                int type = in.read();
                if (type < 0) {
                    return Hello.refused("the server closed the connection");
                }
                int recordVersion = in.readUnsignedShort();
                int length = in.readUnsignedShort();
                if ((recordVersion >> 8) != 3 || length > 18432) {
                    return Hello.refused("the server did not answer in TLS");
                }
                byte[] payload = in.readNBytes(length);
                if (payload.length < length) {
                    return Hello.refused("the server closed the connection");
                }
                if (type == 0x15) {
                    return Hello.refused(payload.length >= 2 ? "alert " + alert(payload[1] & 0xff)
                            : "an alert");
                }
                if (type != 0x16) {
                    return Hello.refused("the server answered with a TLS record of type " + type);
                }
                handshake.write(payload);
                byte[] h = handshake.toByteArray();
                if (h.length >= 4) {
                    int msgLength = ((h[1] & 0xff) << 16) | ((h[2] & 0xff) << 8) | (h[3] & 0xff);
                    if (h[0] != 2) {
                        return Hello.refused("the server answered with handshake message " + (h[0] & 0xff));
                    }
                    if (h.length >= 4 + msgLength) {
                        return parseServerHello(h, 4, 4 + msgLength);
                    }
                    if (msgLength > 65536) {
                        return Hello.refused("a ServerHello too long to be one");
                    }
                }
            }
        } catch (SocketTimeoutException e) {
            return Hello.refused("no answer to the ClientHello");
        } catch (EOFException e) {
            return Hello.refused("the server closed the connection");
        }
    }

    private static Hello parseServerHello(byte[] h, int p, int end) {
        try {
            int version = u16(h, p);
            p += 2;
            boolean hrr = java.util.Arrays.equals(h, p, p + 32, HRR_RANDOM, 0, 32);
            p += 32;
            int sessionIdLength = h[p] & 0xff;
            p += 1 + sessionIdLength;
            int suite = u16(h, p);
            p += 3; // suite and compression
            boolean ocsp = false;
            if (p + 2 <= end) {
                int extEnd = p + 2 + u16(h, p);
                p += 2;
                while (p + 4 <= Math.min(extEnd, end)) {
                    int type = u16(h, p);
                    int len = u16(h, p + 2);
                    if (type == 0x002B && len == 2) {
                        version = u16(h, p + 4);
                    } else if (type == 0x0005) {
                        ocsp = true;
                    }
                    p += 4 + len;
                }
            }
            return new Hello(true, version, suite, ocsp, hrr ? "HelloRetryRequest" : null);
        } catch (ArrayIndexOutOfBoundsException e) {
            return Hello.refused("a malformed ServerHello");
        }
    }

    /** The protocol's name, as testssl.sh and openssl print it. */
    static String versionName(int version) {
        return switch (version) {
            case SSL3 -> "SSLv3";
            case TLS10 -> "TLSv1";
            case TLS11 -> "TLSv1.1";
            case TLS12 -> "TLSv1.2";
            case TLS13 -> "TLSv1.3";
            default -> String.format(Locale.ROOT, "0x%04x", version);
        };
    }

    /** RFC 8446 6.2 (and RFC 5246 7.2.2 for the older ones). */
    static String alert(int code) {
        return switch (code) {
            case 10 -> "unexpected_message";
            case 40 -> "handshake_failure";
            case 47 -> "illegal_parameter";
            case 50 -> "decode_error";
            case 70 -> "protocol_version";
            case 71 -> "insufficient_security";
            case 80 -> "internal_error";
            case 86 -> "inappropriate_fallback";
            case 112 -> "unrecognized_name";
            default -> String.valueOf(code);
        };
    }

    private static void extension(ByteArrayOutputStream out, int type, byte[] data) {
        u16(out, type);
        u16(out, data.length);
        out.writeBytes(data);
    }

    private static void u16(ByteArrayOutputStream out, int v) {
        out.write((v >> 8) & 0xff);
        out.write(v & 0xff);
    }

    private static void u24(ByteArrayOutputStream out, int v) {
        out.write((v >> 16) & 0xff);
        u16(out, v & 0xffff);
    }

    private static int u16(byte[] b, int p) {
        return ((b[p] & 0xff) << 8) | (b[p + 1] & 0xff);
    }

    private static byte[] hex(String s) {
        return java.util.HexFormat.of().parseHex(s);
    }
}
