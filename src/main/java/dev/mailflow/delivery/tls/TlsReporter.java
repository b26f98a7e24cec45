package dev.mailflow.delivery.tls;

import java.net.InetAddress;

/**
 * Hears the outcome of each outbound TLS policy check, for TLS-RPT's daily reports (RFC 8460):
 * one success or one failure per session attempt, under the policy it was made under.
 */
public interface TlsReporter {

    /** A session that met its policy. */
    void success(HostPolicy.ReportedPolicy policy, String mxHost, InetAddress receivingIp);

    /**
     * @param receivingIp null when no connection was made (the host was skipped)
     * @param resultType  RFC 8460 4.3's result type
     */
    void failure(HostPolicy.ReportedPolicy policy, String mxHost, InetAddress receivingIp, String resultType,
                 String reason);

    /**
     * A session that met its policy, with what TLS-RPT's failure details and reports can name:
     * our own address ({@code sending-mta-ip}) and the MX's EHLO name ({@code receiving-mx-helo}).
     */
    default void success(HostPolicy.ReportedPolicy policy, String mxHost, InetAddress receivingIp,
                         InetAddress sendingIp, String mxHelo) {
        success(policy, mxHost, receivingIp);
    }

    /**
     * As {@link #failure(HostPolicy.ReportedPolicy, String, InetAddress, String, String)}, with
     * our address and the MX's EHLO name.
     */
    default void failure(HostPolicy.ReportedPolicy policy, String mxHost, InetAddress receivingIp,
                         InetAddress sendingIp, String mxHelo, String resultType, String reason) {
        failure(policy, mxHost, receivingIp, resultType, reason);
    }

    /** Mail from this envelope sender is a report: its delivery is not reported on. */
    default boolean isReport(String envelopeSender) {
        return false;
    }

    /** Reports nothing. */
    TlsReporter NONE = new TlsReporter() {
        @Override
        public void success(HostPolicy.ReportedPolicy policy, String mxHost, InetAddress receivingIp) {
        }

        @Override
        public void failure(HostPolicy.ReportedPolicy policy, String mxHost, InetAddress receivingIp,
                            String resultType, String reason) {
        }
    };
}
