package dev.mailflow.delivery.tls;

import java.util.List;
import java.util.Objects;

/**
 * What one connection to one next hop requires: whether STARTTLS is used, whether it must be,
 * and how the certificate is judged. Under MTA-STS {@code testing} (RFC 8461 5) a failed
 * check is reported, and the mail is delivered all the same.
 *
 * @param level   no TLS, TLS when offered, or TLS required
 * @param policy  in words, for reasons and tracking: "DANE", "MTA-STS enforce", "opportunistic"
 * @param check   the certificate check, or null when the peer is not authenticated
 * @param enforce a refused check stops delivery (false: report only)
 * @param report  what TLS-RPT reports this connection under (RFC 8460 4.4), or null for nothing
 */
public record HostPolicy(Level level, String policy, PeerCheck check, boolean enforce, ReportedPolicy report) {

    public enum Level {
        /** Plaintext: STARTTLS is not used even when offered. */
        NONE,
        /** STARTTLS when offered; plaintext otherwise, or after a failed handshake (RFC 7435). */
        MAY,
        /** TLS or no delivery. */
        REQUIRE
    }

    public HostPolicy {
        Objects.requireNonNull(level);
        Objects.requireNonNull(policy);
    }

    public static HostPolicy opportunistic(ReportedPolicy report) {
        return new HostPolicy(Level.MAY, "opportunistic", null, false, report);
    }

    /** TLS is required (the check may still be report-only, as under MTA-STS testing it is not required). */
    public boolean requiresTls() {
        return level == Level.REQUIRE;
    }

    /**
     * The policy of a domain as TLS-RPT names it (RFC 8460 4.4 "policy").
     *
     * @param type    {@code sts}, {@code tlsa} or {@code no-policy-found}
     * @param domain  the policy domain (the recipient domain)
     * @param strings the MTA-STS policy's lines or the TLSA records, as text
     */
    public record ReportedPolicy(String type, String domain, List<String> strings) {
        public ReportedPolicy {
            strings = List.copyOf(strings);
        }

        public static ReportedPolicy none(String domain) {
            return new ReportedPolicy("no-policy-found", domain, List.of());
        }
    }
}
