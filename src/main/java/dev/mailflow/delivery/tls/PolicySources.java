package dev.mailflow.delivery.tls;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.Predicate;

/**
 * What {@link TlsPolicyFinder} asks of the policy machinery in {@code dev.mailflow.tlspolicy}:
 * DANE per MX host, MTA-STS per domain, WebPKI checks per host name. Kept to these three so
 * the finder's decisions can be tested with plain lambdas.
 */
public final class PolicySources {

    private PolicySources() {
    }

    /** DANE (RFC 7672) for one host, looked up only when its addresses were validated. */
    @FunctionalInterface
    public interface Dane {
        DaneHost lookup(String host, int port);
    }

    public sealed interface DaneHost {
    }

    /** Validated, usable TLSA records: the peer must match one. */
    public record DaneUsable(PeerCheck check, List<String> records) implements DaneHost {
    }

    /**
     * Validated TLSA records, none of them usable (RFC 7672 2.2): TLS is still required, the
     * peer is not authenticated.
     */
    public record DaneNoneUsable(List<String> records) implements DaneHost {
    }

    /** No DANE for this host (no TLSA, or not validated): other policies apply. */
    public record NotDane(String why) implements DaneHost {
    }

    /** The TLSA lookup failed or was bogus: the host cannot be used now (RFC 7672 2.2). */
    public record DaneTempFail(String reason) implements DaneHost {
    }

    /** MTA-STS (RFC 8461) for one domain. */
    @FunctionalInterface
    public interface Sts {
        /** @return the domain's active policy, or null when it has none in force */
        StsPolicy policy(String domain);
    }

    /**
     * @param enforce   mode enforce (else testing: check, report, deliver all the same)
     * @param mxMatches whether an MX host name matches the policy's {@code mx} patterns (RFC 8461 4.1)
     * @param lines     the policy's text, line by line, for TLS-RPT's policy-string
     * @param fetchError why the policy could not be fetched ({@link #unfetchable}), else null
     */
    public record StsPolicy(boolean enforce, Predicate<String> mxMatches, List<String> lines, String fetchError) {
        public StsPolicy {
            lines = List.copyOf(lines);
        }

        public StsPolicy(boolean enforce, Predicate<String> mxMatches, List<String> lines) {
            this(enforce, mxMatches, lines, null);
        }

        /**
         * The domain publishes a record but its policy could not be fetched, and none is cached:
         * delivery goes on as without MTA-STS (RFC 8461 5.1), and TLS-RPT reports
         * {@code sts-policy-fetch-error} (RFC 8460 4.3.2.3).
         */
        public static StsPolicy unfetchable(String why) {
            return new StsPolicy(false, host -> true, List.of(), why);
        }
    }

    /** WebPKI certificate checks (RFC 6125 names, a chain to a trusted CA). */
    @FunctionalInterface
    public interface WebPki {
        /**
         * @param host    the name the certificate must carry
         * @param anchors the only CAs to trust; empty for the JDK's and {@code ca_file}'s
         */
        PeerCheck forHost(String host, List<X509Certificate> anchors);
    }
}
