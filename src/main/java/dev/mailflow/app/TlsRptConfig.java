package dev.mailflow.app;

import dev.mailflow.tlspolicy.tlsrpt.ReporterIdentity;

/**
 * {@code [tls_rpt]}: whether Mailflow sends the daily TLS-RPT reports of RFC 8460, and who they
 * come from.
 *
 * @param enabled  record TLS sessions and send reports to the domains that ask
 * @param reporter organization, contact, submitter (the host name) and From address
 */
public record TlsRptConfig(boolean enabled, ReporterIdentity reporter) {
}
