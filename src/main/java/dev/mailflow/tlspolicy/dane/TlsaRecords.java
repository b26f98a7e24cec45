package dev.mailflow.tlspolicy.dane;

import dev.mailflow.dns.DnsNames;
import dev.mailflow.dns.TlsaRecord;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

/**
 * TLSA records in words and in bytes: which are usable for SMTP (RFC 7672 3.1, RFC 7671 5),
 * their names (the acronyms of RFC 7218 2), what a certificate gives for each selector and
 * matching type (RFC 6698 2.1.2, 2.1.3), and the record to publish for a certificate (for
 * {@code mailflow check}: "3 1 1", the DANE-EE digest of the public key, RFC 7671 8.1).
 */
public final class TlsaRecords {

    public static final int PKIX_TA = 0;
    public static final int PKIX_EE = 1;
    public static final int DANE_TA = 2;
    public static final int DANE_EE = 3;
    public static final int SELECTOR_CERT = 0;
    public static final int SELECTOR_SPKI = 1;
    public static final int MATCH_FULL = 0;
    public static final int MATCH_SHA256 = 1;
    public static final int MATCH_SHA512 = 2;

    private TlsaRecords() {
    }

    /** Whether SMTP may use the record (RFC 7672 3.1: DANE-TA and DANE-EE only). */
    public static boolean isUsable(TlsaRecord r) {
        return whyUnusable(r) == null;
    }

    /** Why SMTP may not use the record, in words; null when it may. */
    public static String whyUnusable(TlsaRecord r) {
        if (r.usage() == PKIX_TA || r.usage() == PKIX_EE) {
            return "usage " + usageName(r.usage()) + " is not for SMTP (RFC 7672 3.1.3)";
        }
        if (r.usage() != DANE_TA && r.usage() != DANE_EE) {
            return "unknown usage " + r.usage();
        }
        if (r.selector() != SELECTOR_CERT && r.selector() != SELECTOR_SPKI) {
            return "unknown selector " + r.selector();
        }
        int length = r.data().length;
        return switch (r.matchingType()) {
            case MATCH_FULL -> length == 0 ? "no data" : null;
            case MATCH_SHA256 -> length == 32 ? null : "a SHA-256 digest has 32 octets, this one " + length;
            case MATCH_SHA512 -> length == 64 ? null : "a SHA-512 digest has 64 octets, this one " + length;
            default -> "unknown matching type " + r.matchingType();
        };
    }

    /** "DANE-EE 3 1 1", "DANE-TA 2 0 1": the usage's name and the three numbers. */
    public static String describe(TlsaRecord r) {
        return usageName(r.usage()) + " " + r.usage() + " " + r.selector() + " " + r.matchingType();
    }

    /** RFC 7218 2.1: PKIX-TA, PKIX-EE, DANE-TA, DANE-EE. */
    public static String usageName(int usage) {
        return switch (usage) {
            case PKIX_TA -> "PKIX-TA";
            case PKIX_EE -> "PKIX-EE";
            case DANE_TA -> "DANE-TA";
            case DANE_EE -> "DANE-EE";
            default -> "usage-" + usage;
        };
    }

    /** What the selector takes from a certificate, in words. */
    static String selectorWords(int selector) {
        return selector == SELECTOR_SPKI ? "public key" : "certificate";
    }

    /** What the matching type does, in words. */
    static String matchingWords(int matchingType) {
        return switch (matchingType) {
            case MATCH_SHA256 -> "SHA-256 digest";
            case MATCH_SHA512 -> "SHA-512 digest";
            default -> "full content";
        };
    }

    /**
     * The association data of a certificate for a selector and matching type: the DER of the
     * certificate or of its SubjectPublicKeyInfo (as the certificate carries it), as is or
     * digested.
     *
     * @throws IllegalArgumentException for a selector or matching type other than 0, 1, 2
     */
    public static byte[] associationData(X509Certificate cert, int selector, int matchingType) {
        byte[] der;
        try {
            der = cert.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("the certificate cannot be encoded", e);
        }
        byte[] selected = switch (selector) {
            case SELECTOR_CERT -> der;
            case SELECTOR_SPKI -> CertificateDer.subjectPublicKeyInfo(der);
            default -> throw new IllegalArgumentException("selector " + selector + " is not 0 or 1");
        };
        return digest(selected, matchingType);
    }

    static byte[] digest(byte[] selected, int matchingType) {
        try {
            return switch (matchingType) {
                case MATCH_FULL -> selected.clone();
                case MATCH_SHA256 -> MessageDigest.getInstance("SHA-256").digest(selected);
                case MATCH_SHA512 -> MessageDigest.getInstance("SHA-512").digest(selected);
                default -> throw new IllegalArgumentException("matching type " + matchingType + " is not 0, 1 or 2");
            };
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no " + e.getMessage(), e);
        }
    }

    /**
     * The TLSA record that a certificate gives, e.g. {@code forCertificate(cert, 3, 1, 1)} for
     * the DANE-EE digest of its public key (the record RFC 7671 8.1 recommends: it survives a
     * renewal that keeps the key).
     *
     * @throws IllegalArgumentException when usage, selector or matching type is out of range
     */
    public static TlsaRecord forCertificate(X509Certificate cert, int usage, int selector, int matchingType) {
        if (usage < 0 || usage > 3) {
            throw new IllegalArgumentException("usage " + usage + " is not 0 to 3");
        }
        return new TlsaRecord(usage, selector, matchingType, associationData(cert, selector, matchingType));
    }

    /**
     * The zone-file line to publish (RFC 6698 2.2, 3): {@code _25._tcp.mx.example.com. IN
     * TLSA 3 1 1 <hex>}.
     *
     * @throws IllegalArgumentException for a host that is not a valid name or a port out of range
     */
    public static String publish(String host, int port, TlsaRecord record) {
        String h = DnsNames.normalize(host)
                .orElseThrow(() -> new IllegalArgumentException("not a valid host name: " + host));
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not 1 to 65535");
        }
        return "_" + port + "._tcp." + h + ". IN TLSA " + record.usage() + " " + record.selector() + " "
                + record.matchingType() + " " + HexFormat.of().formatHex(record.data());
    }
}
