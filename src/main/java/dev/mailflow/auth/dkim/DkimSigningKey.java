package dev.mailflow.auth.dkim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * A private key with the domain and selector it signs for ({@code [[dkim_key]]}): PKCS#8 PEM
 * ({@code -----BEGIN PRIVATE KEY-----}), RSA of at least 1024 bits (RFC 8301 section 3.2; 2048
 * is what {@code mailflow dkim keygen} makes) or Ed25519 (RFC 8463). Read with the JDK alone.
 *
 * @param domain     d=
 * @param selector   s=
 * @param privateKey the key
 * @param algorithm  rsa-sha256 or ed25519-sha256, from the key's type
 */
public record DkimSigningKey(String domain, String selector, PrivateKey privateKey, DkimAlgorithm algorithm) {

    static final String PEM_BEGIN = "-----BEGIN PRIVATE KEY-----";
    static final String PEM_END = "-----END PRIVATE KEY-----";

    /** The domain becomes its A-label form (punycode), so that the signature is ASCII. */
    public DkimSigningKey {
        if (algorithm.historic()) {
            throw new IllegalArgumentException("rsa-sha1 must not be used for signing (RFC 8301)");
        }
        domain = java.net.IDN.toASCII(domain, java.net.IDN.ALLOW_UNASSIGNED);
        if (!isSelector(selector)) {
            throw new IllegalArgumentException("not a DKIM selector: " + selector);
        }
    }

    /**
     * Whether the text can be a selector (RFC 6376 3.1: dot-separated labels of letters, digits,
     * '-' and '_', as DNS holds them under _domainkey).
     */
    public static boolean isSelector(String selector) {
        return selector != null && selector.length() <= 253
                && selector.matches("[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*");
    }

    public static DkimSigningKey load(String domain, String selector, Path pemFile) throws DkimKeyException {
        String pem;
        try {
            pem = Files.readString(pemFile, StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            throw new DkimKeyException("cannot read the DKIM key " + pemFile + " (missing, unreadable or not text)");
        }
        try {
            return fromPem(domain, selector, pem);
        } catch (DkimKeyException e) {
            throw new DkimKeyException(pemFile + ": " + e.getMessage());
        }
    }

    public static DkimSigningKey fromPem(String domain, String selector, String pem) throws DkimKeyException {
        PrivateKey key = parsePem(pem);
        DkimAlgorithm algorithm = key.getAlgorithm().equals("RSA") ? DkimAlgorithm.RSA_SHA256
                : DkimAlgorithm.ED25519_SHA256;
        if (key instanceof RSAPrivateKey rsa && rsa.getModulus().bitLength() < 1024) {
            throw new DkimKeyException("the RSA key has " + rsa.getModulus().bitLength()
                    + " bits; RFC 8301 requires at least 1024 (use 2048)");
        }
        return new DkimSigningKey(domain, selector, key, algorithm);
    }

    /** A PKCS#8 PEM private key, RSA or Ed25519. */
    static PrivateKey parsePem(String pem) throws DkimKeyException {
        if (pem.contains("-----BEGIN RSA PRIVATE KEY-----")) {
            throw new DkimKeyException("this is a PKCS#1 RSA key; convert it to PKCS#8 with "
                    + "'openssl pkcs8 -topk8 -nocrypt -in OLD.pem -out NEW.pem'");
        }
        if (pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            throw new DkimKeyException("the key is encrypted; Mailflow needs it unencrypted "
                    + "('openssl pkcs8 -in OLD.pem -out NEW.pem'), readable only by its user (mode 0600)");
        }
        int begin = pem.indexOf(PEM_BEGIN);
        int end = pem.indexOf(PEM_END);
        if (begin < 0 || end < begin) {
            throw new DkimKeyException("not a PKCS#8 PEM private key (no '" + PEM_BEGIN + "' block)");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(pem.substring(begin + PEM_BEGIN.length(), end));
        } catch (IllegalArgumentException e) {
            throw new DkimKeyException("the PEM block is not valid base64");
        }
        for (String type : new String[] {"RSA", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(type).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next type
            }
        }
        throw new DkimKeyException("the key is neither RSA nor Ed25519 (only these can sign DKIM)");
    }

    /** The PKCS#8 PEM text of a private key, 64 columns, as openssl writes it. */
    static String toPem(PrivateKey key) {
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getEncoded());
        return PEM_BEGIN + "\n" + b64 + "\n" + PEM_END + "\n";
    }
}
