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
