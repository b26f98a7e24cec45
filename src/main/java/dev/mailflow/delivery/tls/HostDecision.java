package dev.mailflow.delivery.tls;

/** Whether one MX host may be tried under its domain's policy, and how. */
public sealed interface HostDecision {

    /** Try it with this policy. */
    record Use(HostPolicy policy) implements HostDecision {
    }

    /**
     * Do not try it: MTA-STS enforce names other hosts (RFC 8461 4.1), or its TLSA records could
     * not be had (RFC 7672 2.2: the mail waits). The reason goes into the deferral when no host is left.
     *
     * @param resultType the TLS-RPT result type (RFC 8460 4.3) of the failure, or null
     */
    record Skip(String reason, String resultType, HostPolicy.ReportedPolicy report) implements HostDecision {
    }
}
