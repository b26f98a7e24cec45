package dev.mailflow.tlspolicy.tlsrpt;

import java.util.Objects;

/**
 * Who sends the reports (RFC 8460 4.4 and 5.3), from the {@code [tls_rpt]} configuration.
 *
 * @param organizationName {@code organization-name}: the organization responsible for the report
 * @param contactInfo      {@code contact-info}: an address to write to about the reports
 * @param submitter        the submitter's host name: {@code TLS-Report-Submitter}, the report
 *                         file name and the Message-ID (the server's host name)
 * @param from             the From address of mailed reports (the lead's queue uses it as the
 *                         envelope sender too); its domain should have a DKIM key, since RFC
 *                         8460 3 has receivers ignore unsigned reports
 */
public record ReporterIdentity(String organizationName, String contactInfo, String submitter, String from) {

    public ReporterIdentity {
        Objects.requireNonNull(organizationName, "organizationName");
        Objects.requireNonNull(contactInfo, "contactInfo");
        Objects.requireNonNull(from, "from");
        submitter = SessionResult.domain(Objects.requireNonNull(submitter, "submitter"));
    }
}
