package dev.mailflow.tlspolicy;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXParameters;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Whether a server's certificate chain is WebPKI-valid for a host name, as RFC 8461 4.2 asks
 * of an MX host and of the policy host {@code mta-sts.<domain>} (3.3), with the reason in an
 * operator's words when it is not:
 *
 * <ol>
 * <li>the leaf certificate is within its validity period (now, by the given clock);
 * <li>it names the host (RFC 6125 6.4): a DNS-ID in subjectAltName, a wildcard only as the
 *     whole left-most label ({@link HostPatterns}); the subject's CN is used only when the
 *     certificate has no DNS-ID at all (6.4.4), never beside SANs;
 * <li>its extended key usage, when present, allows TLS servers (RFC 5280 4.2.1.12);
 * <li>a path leads from it, through the other certificates presented, to one of the
 *     {@link TrustAnchors} (RFC 5280 6, the JDK's PKIX with its algorithm constraints;
 *     revocation is not checked, as no MTA does).
 * </ol>
 *
 * Usable before a handshake ends ({@link #trustManager(String)}, which fails it with the
 * reason) and after it ({@link #check(SSLSession, String)}, for a policy in testing mode that
 * delivers anyway and reports). Thread-safe.
 */
public final class WebPki {

    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String ANY_EKU = "2.5.29.37.0";
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    /** What the check found. */
    public sealed interface Result permits Valid, Invalid {
        default boolean valid() {
            return this instanceof Valid;
        }
    }

    /**
     * The chain is valid for the host.
     *
     * @param certificateName the certificate's name that matched (a DNS-ID such as {@code *.example.com})
     * @param issuer          the issuer of the leaf, by its common name
     */
    public record Valid(String certificateName, String issuer) implements Result {
    }

    /**
     * It is not; {@code reason} says why, e.g. "certificate has expired on 2026-01-02 00:00:00 UTC".
     *
     * @param kind what failed, as TLS-RPT tells failures apart (RFC 8460 4.3.2)
     */
    public record Invalid(String reason, Kind kind) implements Result {
        public Invalid(String reason) {
            this(reason, Kind.OTHER);
        }

        /** The RFC 8460 4.3.2 result type of the failure. */
        public String resultType() {
            return switch (kind) {
                case EXPIRED -> "certificate-expired";
                case HOST_MISMATCH -> "certificate-host-mismatch";
                case UNTRUSTED -> "certificate-not-trusted";
                case OTHER -> "validation-failure";
            };
        }
    }

    /** What a failed check failed on. */
    public enum Kind {
        /** Expired, or not valid yet. */
        EXPIRED,
        /** The certificate does not name the host. */
        HOST_MISMATCH,
        /** No chain to a trusted CA. */
        UNTRUSTED,
        /** No certificate, the wrong key usage, an unreadable extension. */
        OTHER
    }

    /** A handshake failed by {@link #trustManager(String)}: its message is the reason. */
    public static final class PeerCertificateException extends CertificateException {
        PeerCertificateException(String reason) {
            super(reason);
        }
    }

    private final TrustAnchors anchors;
    private final Clock clock;

    public WebPki(TrustAnchors anchors, Clock clock) {
        this.anchors = Objects.requireNonNull(anchors);
        this.clock = Objects.requireNonNull(clock);
    }

    public TrustAnchors anchors() {
        return anchors;
    }

    /** Checks the certificates a finished handshake's peer presented. */
    public Result check(SSLSession session, String host) {
        try {
            var certificates = session.getPeerCertificates();
            var chain = new ArrayList<X509Certificate>();
            for (var c : certificates) {
                if (c instanceof X509Certificate x) {
                    chain.add(x);
                }
            }
            return check(chain, host);
        } catch (SSLPeerUnverifiedException e) {
            return new Invalid("the server presented no certificate");
        }
    }

    /** Checks a chain as presented (leaf first) for the host. */
    public Result check(List<X509Certificate> chain, String host) {
        if (chain == null || chain.isEmpty()) {
            return new Invalid("the server presented no certificate");
        }
        X509Certificate leaf = chain.get(0);
        var now = Date.from(clock.instant());
        String names = describeNames(leaf);
        try {
            leaf.checkValidity(now);
        } catch (CertificateExpiredException e) {
            return new Invalid("certificate for " + names + " has expired on " + DAY.format(leaf.getNotAfter().toInstant()),
                    Kind.EXPIRED);
        } catch (CertificateNotYetValidException e) {
            return new Invalid("certificate for " + names + " is not valid before "
                    + DAY.format(leaf.getNotBefore().toInstant()), Kind.EXPIRED);
        }
        String matched = matchingName(leaf, host);
        if (matched == null) {
            return new Invalid("certificate for " + names + " (issued by " + commonName(leaf.getIssuerX500Principal()
                    .getName()) + ") does not name " + host, Kind.HOST_MISMATCH);
        }
        try {
            var eku = leaf.getExtendedKeyUsage();
            if (eku != null && !eku.contains(SERVER_AUTH) && !eku.contains(ANY_EKU)) {
                return new Invalid("certificate for " + names + " is not for TLS servers (its extended key usage "
                        + "lacks serverAuth)");
            }
        } catch (CertificateParsingException e) {
            return new Invalid("certificate for " + names + " has an extended key usage that cannot be read");
        }
        String untrusted = pathProblem(chain, now);
        if (untrusted != null) {
            return new Invalid("not signed by a trusted CA: " + untrusted, Kind.UNTRUSTED);
        }
        return new Valid(matched, commonName(leaf.getIssuerX500Principal().getName()));
    }

    /**
     * A trust manager that accepts exactly what {@link #check(List, String)} finds valid for
     * the host, and fails the handshake with a {@link PeerCertificateException} holding the
     * reason otherwise. For a client: it trusts no client certificates.
     */
    public X509ExtendedTrustManager trustManager(String host) {
        return new HostTrustManager(host);
    }

    /** A client context whose handshakes succeed only with a certificate valid for {@code host}. */
    public SSLContext sslContext(String host) {
        return TrustAnchors.contextWith(trustManager(host));
    }

    /** The DNS-ID (or, with none, the CN) that names the host, or null. */
    private static String matchingName(X509Certificate leaf, String host) {
        var dnsIds = dnsIds(leaf);
        var candidates = dnsIds.isEmpty() ? commonNames(leaf) : dnsIds;
        for (String name : candidates) {
            if (HostPatterns.matches(name, host)) {
                return name;
            }
        }
        return null;
    }

    /** The certificate's names for a message: its DNS-IDs (at most three), else its CN. */
    public static String describeNames(X509Certificate leaf) {
        var names = dnsIds(leaf);
        if (names.isEmpty()) {
            names = commonNames(leaf);
        }
        if (names.isEmpty()) {
            return "no host name";
        }
        String shown = String.join(", ", names.subList(0, Math.min(3, names.size())));
        return names.size() > 3 ? shown + " and " + (names.size() - 3) + " more" : shown;
    }

    private static List<String> dnsIds(X509Certificate c) {
        var out = new ArrayList<String>();
        try {
            Collection<List<?>> sans = c.getSubjectAlternativeNames();
            if (sans != null) {
                for (var san : sans) {
                    if (san.size() >= 2 && Integer.valueOf(2).equals(san.get(0)) && san.get(1) instanceof String s) {
                        out.add(s);
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // an unreadable SAN names nothing
        }
        return out;
    }

    private static List<String> commonNames(X509Certificate c) {
        var out = new ArrayList<String>();
        try {
            for (var rdn : new LdapName(c.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    out.add(String.valueOf(rdn.getValue()));
                }
            }
        } catch (InvalidNameException e) {
            // no CN then
        }
        return out;
    }

    /** The CN of a distinguished name, or the whole name when it has none. */
    public static String commonName(String dn) {
        try {
            var rdns = new LdapName(dn).getRdns();
            for (int i = rdns.size() - 1; i >= 0; i--) {
                if (rdns.get(i).getType().equalsIgnoreCase("CN")) {
                    return String.valueOf(rdns.get(i).getValue());
                }
            }
        } catch (InvalidNameException e) {
            // the name as it is
        }
        return dn;
    }

    /** Null when a path to an anchor exists; else what is wrong, in words. */
    private String pathProblem(List<X509Certificate> chain, Date now) {
        X509Certificate leaf = chain.get(0);
        if (anchors.anchors().isEmpty()) {
            return "no trusted CA is configured";
        }
        for (var a : anchors.anchors()) {
            if (a.getTrustedCert().equals(leaf)) {
                return null; // the certificate itself is an anchor (a pinned self-signed one)
            }
        }
        try {
            var selector = new X509CertSelector();
            selector.setCertificate(leaf);
            var params = new PKIXBuilderParameters(anchors.anchors(), selector);
            params.setRevocationEnabled(false);
            params.setDate(now);
            params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(chain)));
            CertPathBuilder.getInstance("PKIX").build(params);
            return null;
        } catch (CertPathBuilderException e) {
            return explain(chain, now, e);
        } catch (GeneralSecurityException e) {
            return "the chain cannot be checked: " + e.getMessage();
        }
    }

    /** Why no path was built, found by validating the chain as presented. */
    private String explain(List<X509Certificate> chain, Date now, CertPathBuilderException built) {
        X509Certificate leaf = chain.get(0);
        if (chain.size() == 1 && leaf.getSubjectX500Principal().equals(leaf.getIssuerX500Principal())) {
            return "the certificate for " + describeNames(leaf) + " is self-signed";
        }
        for (int i = 1; i < chain.size(); i++) {
            var c = chain.get(i);
            try {
                c.checkValidity(now);
            } catch (CertificateExpiredException e) {
                return "the intermediate certificate " + commonName(c.getSubjectX500Principal().getName())
                        + " has expired on " + DAY.format(c.getNotAfter().toInstant());
            } catch (CertificateNotYetValidException e) {
                return "the intermediate certificate " + commonName(c.getSubjectX500Principal().getName())
                        + " is not valid before " + DAY.format(c.getNotBefore().toInstant());
            }
        }
        var last = chain.get(chain.size() - 1);
        boolean issuerKnown = anchors.anchors().stream().anyMatch(a -> a.getTrustedCert().getSubjectX500Principal()
                .equals(last.getIssuerX500Principal()));
        if (!issuerKnown) {
            return "the chain ends at " + commonName(last.getSubjectX500Principal().getName()) + ", issued by "
                    + commonName(last.getIssuerX500Principal().getName()) + ", which is not a trusted CA";
        }
        try {
            var path = CertificateFactory.getInstance("X.509").generateCertPath(chain);
            var params = new PKIXParameters(anchors.anchors());
            params.setRevocationEnabled(false);
            params.setDate(now);
            CertPathValidator.getInstance("PKIX").validate(path, params);
        } catch (CertPathValidatorException e) {
            String which = e.getIndex() >= 0 && e.getIndex() < chain.size()
                    ? " (at " + commonName(chain.get(e.getIndex()).getSubjectX500Principal().getName()) + ")" : "";
            return e.getReason() + which + ": " + e.getMessage();
        } catch (GeneralSecurityException e) {
            return String.valueOf(e.getMessage());
        }
        return String.valueOf(built.getMessage());
    }

    private final class HostTrustManager extends X509ExtendedTrustManager {
        private final String host;

        HostTrustManager(String host) {
            this.host = host;
        }

        private void verify(X509Certificate[] chain) throws CertificateException {
            if (check(chain == null ? List.of() : Arrays.asList(chain), host) instanceof Invalid invalid) {
                throw new PeerCertificateException(invalid.reason());
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            verify(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            verify(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            verify(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("this trust manager is for servers' certificates");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("this trust manager is for servers' certificates");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("this trust manager is for servers' certificates");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return anchors.anchors().stream().map(a -> a.getTrustedCert()).toArray(X509Certificate[]::new);
        }
    }
}
