package dev.mailflow.auth.dkim;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Locale;
import java.util.Optional;

/**
 * The signing algorithms of the a= tag: rsa-sha256 (RFC 6376 section 3.3.1),
 * ed25519-sha256 (RFC 8463 section 3) and rsa-sha1, which RFC 8301 section 3.1 made
 * historic: it is recognized so that a tester can say why such a signature is refused, and
 * is verified only under {@link DkimPolicy#historicForCorpus()}, never signed with.
 *
 * <p>Ed25519 is PureEdDSA over the SHA-256 hash of the header data (RFC 8463 section 3), so
 * the data is hashed here first; RSA is RSASSA-PKCS1-v1_5 over the data itself. Both come from
 * the JDK alone.
 */
public enum DkimAlgorithm {

    RSA_SHA256("rsa-sha256", "rsa", "sha256"),
    ED25519_SHA256("ed25519-sha256", "ed25519", "sha256"),
    /** Historic (RFC 8301 section 3.1): "rsa-sha1 MUST NOT be used for signing or verifying". */
    RSA_SHA1("rsa-sha1", "rsa", "sha1");

    private final String tag;
    private final String keyType;
    private final String hash;

    DkimAlgorithm(String tag, String keyType, String hash) {
        this.tag = tag;
        this.keyType = keyType;
        this.hash = hash;
    }

    /** The value of the a= tag, e.g. {@code ed25519-sha256}. */
    public String tag() {
        return tag;
    }

    /** The key type of the key record's k= tag (RFC 6376 3.6.1, RFC 8463 4). */
    public String keyType() {
        return keyType;
    }

    /** The hash name of the key record's h= tag. */
    String hashName() {
        return hash;
    }

    boolean historic() {
        return this == RSA_SHA1;
    }

    public static Optional<DkimAlgorithm> fromTag(String s) {
        for (DkimAlgorithm a : values()) {
            if (a.tag.equals(s.toLowerCase(Locale.ROOT))) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    MessageDigest newDigest() {
        // A copy of a digest that never hashes anything is cheaper than a provider lookup.
        try {
            return (MessageDigest) (this == RSA_SHA1 ? Digests.SHA1 : Digests.SHA256).clone();
        } catch (CloneNotSupportedException e) {
            return Digests.fresh(this == RSA_SHA1 ? "SHA-1" : "SHA-256");
        }
    }

    /** One unused digest of each hash, the prototype of the ones made for each message. */
    private static final class Digests {
        static final MessageDigest SHA256 = fresh("SHA-256");
        static final MessageDigest SHA1 = fresh("SHA-1");

        static MessageDigest fresh(String name) {
            try {
                return MessageDigest.getInstance(name);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JDK lacks " + name, e);
            }
        }
    }

    byte[] sign(PrivateKey key, byte[] headerData) throws GeneralSecurityException {
        Signature s = signature();
        s.initSign(key);
        s.update(signedData(headerData));
        return s.sign();
    }

    /** Verifies with a key from DNS: an Ed25519 key's point is decoded once, when the record is parsed. */
    boolean verify(DkimKey key, byte[] headerData, byte[] signature) throws GeneralSecurityException {
        if (this == ED25519_SHA256) {
            return verifyEd25519(key.ed25519Point(), signedData(headerData), signature);
        }
        return verify(key.publicKey(), headerData, signature);
    }

    boolean verify(PublicKey key, byte[] headerData, byte[] signature) throws GeneralSecurityException {
        if (this == ED25519_SHA256) {
            return verifyEd25519(ed25519Point(key), signedData(headerData), signature);
        }
        Signature s = signature();
        s.initVerify(key);
        s.update(signedData(headerData));
        try {
            return s.verify(signature);
        } catch (java.security.SignatureException e) {
            return false; // a signature of the wrong length or form: it does not verify
        }
    }

    /**
     * RFC 8032 Ed25519 verification with Bouncy Castle's implementation, which takes a sixth of
     * the JDK's time (bench/VerifyCost.java), with the key's point decoded before
     * ({@link #ed25519Point}); null, a key that is not a point on the curve, verifies nothing.
     */
    private static boolean verifyEd25519(org.bouncycastle.math.ec.rfc8032.Ed25519.PublicPoint key, byte[] data,
            byte[] signature) {
        if (key == null || signature.length != org.bouncycastle.math.ec.rfc8032.Ed25519.SIGNATURE_SIZE) {
            return false;
        }
        try {
            return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(signature, 0, key, data, 0, data.length);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * An Ed25519 public key (the 32 octets after the SubjectPublicKeyInfo prefix) decoded as
     * Bouncy Castle's verifier takes it, checked as its verification of raw key octets checks
     * it (canonical encoding, a point on the curve: "partial" validation); null when it is not
     * one.
     */
    static org.bouncycastle.math.ec.rfc8032.Ed25519.PublicPoint ed25519Point(PublicKey key) {
        byte[] spki = key.getEncoded();
        int prefix = DkimKey.ED25519_SPKI_PREFIX.length;
        if (spki == null || spki.length != prefix + org.bouncycastle.math.ec.rfc8032.Ed25519.PUBLIC_KEY_SIZE) {
            return null;
        }
        try {
            return org.bouncycastle.math.ec.rfc8032.Ed25519.validatePublicKeyPartialExport(spki, prefix);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private byte[] signedData(byte[] headerData) {
        return this == ED25519_SHA256 ? newDigest().digest(headerData) : headerData;
    }

    private Signature signature() throws GeneralSecurityException {
        return Signature.getInstance(switch (this) {
            case RSA_SHA256 -> "SHA256withRSA";
            case ED25519_SHA256 -> "Ed25519";
            case RSA_SHA1 -> "SHA1withRSA";
        });
    }
}
