package dev.mailflow.delivery.tls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A pinned certificate: the SHA-256 digest of a certificate or of its public key
 * (SubjectPublicKeyInfo), as Postfix's {@code smtp_tls_fingerprint_digest = sha256} matches
 * either. A key pin survives the renewal of a certificate for the same key.
 */
public final class Fingerprint {

    private final byte[] digest;

    private Fingerprint(byte[] digest) {
        this.digest = digest;
    }

    /**
     * {@code "sha256:9F:86:D0:..."}, {@code "9f86d0..."}: 32 bytes in hex, colons allowed.
     *
     * @throws IllegalArgumentException with a message for the operator
     */
    public static Fingerprint parse(String text) {
        String t = text.strip();
        if (t.regionMatches(true, 0, "sha256:", 0, 7)) {
            t = t.substring(7);
        }
        t = t.replace(":", "").toLowerCase(Locale.ROOT);
        if (t.length() != 64 || !t.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new IllegalArgumentException("\"" + text + "\" is not a SHA-256 fingerprint (64 hex digits, "
                    + "colons allowed, optionally after \"sha256:\")");
        }
        return new Fingerprint(HexFormat.of().parseHex(t));
    }

    /** The certificate's own fingerprint. */
    public static Fingerprint of(X509Certificate certificate) {
        try {
            return new Fingerprint(sha256(certificate.getEncoded()));
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("the certificate cannot be encoded", e);
        }
    }

    /** Matches the certificate or its public key. */
    public boolean matches(X509Certificate certificate) {
        try {
            return Arrays.equals(digest, sha256(certificate.getEncoded()))
                    || Arrays.equals(digest, sha256(certificate.getPublicKey().getEncoded()));
        } catch (CertificateEncodingException e) {
            return false;
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Fingerprint f && Arrays.equals(f.digest, digest);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(digest);
    }

    /** {@code sha256:9F:86:...}, the form {@code openssl x509 -fingerprint -sha256} prints. */
    @Override
    public String toString() {
        var sb = new StringBuilder("sha256:");
        for (int i = 0; i < digest.length; i++) {
            sb.append(i == 0 ? "" : ":").append(HexFormat.of().withUpperCase().toHexDigits(digest[i]));
        }
        return sb.toString();
    }
}
