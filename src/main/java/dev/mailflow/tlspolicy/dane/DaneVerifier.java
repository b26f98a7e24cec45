package dev.mailflow.tlspolicy.dane;

import dev.mailflow.dns.DnsNames;
import dev.mailflow.dns.TlsaRecord;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Checks a server's certificate chain against its usable TLSA records (RFC 7672 3, RFC 7671
 * 5, RFC 6698 2.1). One record that matches is enough.
 *
 * <ul>
 * <li><b>DANE-EE(3)</b> (RFC 7672 3.1.1, RFC 7671 5.1): the server's own certificate (selector
 *     0: its DER; 1: its SubjectPublicKeyInfo) matches, as is (matching type 0) or as its
 *     SHA-256 (1) or SHA-512 (2) digest. Nothing else is checked: not the names, not the
 *     validity dates, not the issuer; the DNS record is the whole authentication.
 * <li><b>DANE-TA(2)</b> (RFC 7672 3.1.2, RFC 7671 5.2): a certificate of the chain the server
 *     sent matches, or, for "2 1 0", the record's public key itself signed the top of the
 *     chain (RFC 7671 5.2.3: a trust anchor the server need not send). From that trust anchor
 *     down to the server's certificate the chain must verify as in PKIX (RFC 5280 6.1): every
 *     signature, every certificate below the anchor within its dates, every issuer a CA (basic
 *     constraints, path length, keyCertSign when key usage is present). The anchor itself is a
 *     key and a name; its own dates are not checked. And the server's certificate must name
 *     one of the reference identifiers (RFC 7672 3.2.2, 3.2.3): a DNS name of its subject
 *     alternative names (the subject's CN only when it has none), a wildcard only as the whole
 *     left-most label.
 * </ul>
 *
 * Usable from inside a TLS handshake ({@link #trustManager}: a mismatch aborts it) and after
 * one ({@link #verify}).
 *
 * <p>SECURITY: the chain is the peer's. A malformed certificate is a failed match, never an
 * exception; the path search is bounded by the chain's length.
 */
public final class DaneVerifier {

    /** RFC 5280 sets no limit; OpenSSL's default depth is 100, real chains have 2 to 4. */
    private static final int MAX_DEPTH = 10;
    private static final int KEY_CERT_SIGN = 5;
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448", "DSA");

    private final InstantSource clock;

    public DaneVerifier() {
        this(InstantSource.system());
    }

    /** @param clock the time that certificates below a DANE-TA trust anchor must be valid at */
    public DaneVerifier(InstantSource clock) {
        this.clock = clock;
    }

    /**
     * @param chain the certificates as the server sent them, its own first
     * @param tlsa  the usable TLSA records and the names a DANE-TA certificate must carry
     */
    public DaneVerification verify(List<X509Certificate> chain, DaneResult.Usable tlsa) {
        if (chain == null || chain.isEmpty()) {
            return new DaneVerification.Failed("the server sent no certificate");
        }
        X509Certificate leaf = chain.get(0);
        var tried = new ArrayList<String>();
        for (TlsaRecord r : tlsa.usable()) {
            if (r.usage() != TlsaRecords.DANE_EE) {
                continue;
            }
            String what = "the server's " + TlsaRecords.selectorWords(r.selector());
            byte[] actual;
            try {
                actual = TlsaRecords.associationData(leaf, r.selector(), r.matchingType());
            } catch (IllegalArgumentException e) {
                tried.add(TlsaRecords.describe(r) + ": " + what + " cannot be read (" + e.getMessage() + ")");
                continue;
            }
            if (MessageDigest.isEqual(actual, r.data())) {
                return new DaneVerification.Matched(r, TlsaRecords.describe(r) + " matched " + what);
            }
            tried.add(TlsaRecords.describe(r) + " did not match " + what + " ("
                    + TlsaRecords.matchingWords(r.matchingType()) + " " + shortHex(actual) + ", the record has "
                    + shortHex(r.data()) + ")");
        }
        var ta = tlsa.usable().stream().filter(r -> r.usage() == TlsaRecords.DANE_TA).toList();
        if (!ta.isEmpty()) {
            var outcome = verifyTrustAnchor(chain, ta, tlsa.referenceNames());
            if (outcome instanceof DaneVerification.Matched m) {
                return m;
            }
            tried.add(((DaneVerification.Failed) outcome).reason());
        }
        return new DaneVerification.Failed("the server's certificate (" + describeNames(leaf) + ") matched none of "
                + "the usable TLSA records at " + tlsa.tlsaName() + ": " + String.join("; ", tried));
    }

    /**
     * A trust manager for one connection to one server: {@code checkServerTrusted} throws
     * {@link DaneCertificateException} (with the {@link DaneVerification.Failed}) when the chain
     * does not match, so that the handshake aborts; no host name check beyond DANE's own.
     */
    public DaneTrustManager trustManager(DaneResult.Usable tlsa) {
        return new DaneTrustManager(this, tlsa);
    }

    private DaneVerification verifyTrustAnchor(List<X509Certificate> chain, List<TlsaRecord> records,
            List<String> referenceNames) {
        X509Certificate leaf = chain.get(0);
        var path = new ArrayList<X509Certificate>();
        path.add(leaf);
        X509Certificate current = leaf;
        String firstProblem = null;
        while (path.size() <= MAX_DEPTH) {
            // A certificate of the chain above the server's that a record names.
            if (path.size() > 1) {
                for (TlsaRecord r : records) {
                    if (matches(current, r)) {
                        String problem = checkPath(path, path.size() - 1);
                        String anchor = "the certificate of " + subject(current);
                        if (problem == null) {
                            return nameCheck(r, anchor, leaf, referenceNames);
                        }
                        firstProblem = firstProblem == null
                                ? TlsaRecords.describe(r) + " matched " + anchor + ", but " + problem : firstProblem;
                    }
                }
            }
            // A bare public key ("2 1 0") that signed the current certificate.
            for (TlsaRecord r : records) {
                if (r.selector() != TlsaRecords.SELECTOR_SPKI || r.matchingType() != TlsaRecords.MATCH_FULL) {
                    continue;
                }
                PublicKey key = publicKey(r.data());
                if (key != null && signedBy(current, key)) {
                    String problem = checkPath(path, -1);
                    String anchor = "the public key that signed the certificate of " + subject(current);
                    if (problem == null) {
                        return nameCheck(r, anchor, leaf, referenceNames);
                    }
                    firstProblem = firstProblem == null
                            ? TlsaRecords.describe(r) + " matched " + anchor + ", but " + problem : firstProblem;
                }
            }
            X509Certificate issuer = issuerOf(current, chain, path);
            if (issuer == null) {
                break;
            }
            path.add(issuer);
            current = issuer;
        }
        if (firstProblem != null) {
            return new DaneVerification.Failed(firstProblem);
        }
        var names = records.stream().map(TlsaRecords::describe).distinct().toList();
        return new DaneVerification.Failed(String.join(", ", names) + ": no certificate of the chain of "
                + chain.size() + " the server sent (" + String.join(", ", chain.stream().map(DaneVerifier::subject)
                        .toList()) + ") matches, nor signed it");
    }

    private DaneVerification nameCheck(TlsaRecord r, String anchor, X509Certificate leaf, List<String> references) {
        var names = certificateNames(leaf);
        for (String reference : references) {
            for (String name : names) {
                if (nameMatches(name, reference)) {
                    return new DaneVerification.Matched(r, TlsaRecords.describe(r) + " matched " + anchor
                            + ", which issued the server's certificate for " + reference);
                }
            }
        }
        return new DaneVerification.Failed(TlsaRecords.describe(r) + " matched " + anchor + ", but the server's "
                + "certificate is for " + (names.isEmpty() ? "no DNS name" : String.join(", ", names)) + ", not "
                + String.join(" or ", references) + " (RFC 7672 3.2.2)");
    }

    /**
     * Checks the path from the server's certificate (index 0) up to the trust anchor: a
     * certificate of the path at {@code anchorIndex}, or (with -1) a bare key above the last.
     * Returns what is wrong, or null.
     */
    private String checkPath(List<X509Certificate> path, int anchorIndex) {
        int below = anchorIndex < 0 ? path.size() : anchorIndex;
        Date now = Date.from(Instant.ofEpochMilli(clock.millis()));
        for (int i = 0; i < below; i++) {
            X509Certificate c = path.get(i);
            String who = i == 0 ? "the server's certificate" : "the certificate of " + subject(c);
            if (now.before(c.getNotBefore())) {
                return who + " is not valid before " + c.getNotBefore().toInstant();
            }
            if (now.after(c.getNotAfter())) {
                return who + " expired on " + c.getNotAfter().toInstant();
            }
        }
        int last = anchorIndex < 0 ? path.size() - 1 : anchorIndex;
        for (int i = 1; i <= last; i++) {
            X509Certificate ca = path.get(i);
            int pathLength = ca.getBasicConstraints();
            if (pathLength < 0) {
                return "the certificate of " + subject(ca) + " issued a certificate but is not a CA (basic constraints)";
            }
            if (i - 1 > pathLength) {
                return "the certificate of " + subject(ca) + " allows " + pathLength
                        + " intermediate CAs below it, the chain has " + (i - 1);
            }
            boolean[] usage = ca.getKeyUsage();
            if (usage != null && (usage.length <= KEY_CERT_SIGN || !usage[KEY_CERT_SIGN])) {
                return "the key usage of the certificate of " + subject(ca) + " does not allow signing certificates";
            }
        }
        return null;
    }

    private static X509Certificate issuerOf(X509Certificate cert, List<X509Certificate> chain,
            List<X509Certificate> path) {
        for (X509Certificate c : chain) {
            if (!path.contains(c) && c.getSubjectX500Principal().equals(cert.getIssuerX500Principal())
                    && signedBy(cert, c.getPublicKey())) {
                return c;
            }
        }
        return null;
    }

    private static boolean matches(X509Certificate cert, TlsaRecord r) {
        try {
            return MessageDigest.isEqual(TlsaRecords.associationData(cert, r.selector(), r.matchingType()), r.data());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean signedBy(X509Certificate cert, PublicKey key) {
        try {
            cert.verify(key);
            return true;
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /** The key of a SubjectPublicKeyInfo, or null when no JDK key factory reads it. */
    private static PublicKey publicKey(byte[] spki) {
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(spki));
            } catch (GeneralSecurityException | RuntimeException e) {
                // not this algorithm
            }
        }
        return null;
    }

    /** The DNS names of the subject alternative names; the subject's CNs only when there are none. */
    static List<String> certificateNames(X509Certificate cert) {
        var names = new ArrayList<String>();
        try {
            var sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (san.size() >= 2 && Integer.valueOf(2).equals(san.get(0)) && san.get(1) instanceof String s) {
                        names.add(s);
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return List.of();
        }
        if (!names.isEmpty()) {
            return names;
        }
        try {
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN") && rdn.getValue() instanceof String cn) {
                    names.add(cn);
                }
            }
        } catch (InvalidNameException e) {
            return List.of();
        }
        return names;
    }

    /**
     * RFC 7672 3.2.3 (after RFC 6125 6.4): equal without regard to case and a final dot; "*" as
     * the whole left-most label stands for exactly one label, and never over a top-level label
     * alone ("*.com").
     */
    static boolean nameMatches(String certificateName, String reference) {
        String ref = DnsNames.normalize(reference).orElse(null);
        if (ref == null) {
            return false;
        }
        String name = certificateName.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (name.startsWith("*.")) {
            String rest = name.substring(2);
            int dot = ref.indexOf('.');
            return !rest.contains("*") && rest.contains(".") && dot > 0 && ref.substring(dot + 1).equals(rest);
        }
        return !name.contains("*") && name.equals(ref);
    }

    private static String describeNames(X509Certificate leaf) {
        var names = certificateNames(leaf);
        return names.isEmpty() ? subject(leaf) : "for " + String.join(", ", names);
    }

    private static String subject(X509Certificate c) {
        return c.getSubjectX500Principal().getName();
    }

    private static String shortHex(byte[] b) {
        String hex = HexFormat.of().formatHex(b);
        return hex.length() > 16 ? hex.substring(0, 16) + "..." : hex;
    }

    /** What {@link DaneTrustManager} throws: the handshake ends, the reason is kept. */
    public static final class DaneCertificateException extends CertificateException {
        private final transient DaneVerification.Failed failure;

        DaneCertificateException(DaneVerification.Failed failure) {
            super("DANE: " + failure.reason());
            this.failure = failure;
        }

        public DaneVerification.Failed failure() {
            return failure;
        }
    }
}
