/**
 * SMTP TLS Reporting, RFC 8460, as a sending MTA does it: what delivery tells it about each TLS
 * session, the daily aggregate reports, and their delivery to the domains that ask. No SMTP
 * I/O of its own: mailed reports go through the queue ({@link dev.mailflow.tlspolicy.tlsrpt.ReportMailer}),
 * HTTPS reports through {@link dev.mailflow.tlspolicy.tlsrpt.ReportPoster}.
 *
 * <p>How it fits together:
 *
 * <ul>
 * <li>Remote delivery makes a {@link dev.mailflow.tlspolicy.tlsrpt.SessionResult} for each TLS
 *     session attempt (policy type and strings, MX, addresses, and a
 *     {@link dev.mailflow.tlspolicy.tlsrpt.ResultType} when it failed) and gives it to
 *     {@link dev.mailflow.tlspolicy.tlsrpt.ReportLog#record}: one JSON line appended to the
 *     journal of the UTC day, {@code <data dir>/tls-rpt/YYYY-MM-DD.jsonl}. The delivery of a
 *     report is never recorded.
 * <li>{@link dev.mailflow.tlspolicy.tlsrpt.TlsRptScheduler#runDue}, called every few minutes,
 *     reads each ended day once into a {@link dev.mailflow.tlspolicy.tlsrpt.DomainTraffic} per
 *     policy domain, looks up {@code _smtp._tls.<domain>}
 *     ({@link dev.mailflow.tlspolicy.tlsrpt.TlsRptRecord}, section 3), builds the
 *     {@link dev.mailflow.tlspolicy.tlsrpt.AggregateReport} (4.4, gzipped) and sends it:
 *     {@link dev.mailflow.tlspolicy.tlsrpt.ReportMessage} (5.3, multipart/report) to each
 *     {@code mailto:}, a POST to each {@code https:}. Markers under {@code tls-rpt/sent/} keep a
 *     restart from sending twice.
 * </ul>
 *
 * <p>SECURITY: DNS records, peer greetings and failure texts are untrusted: parsing never
 * throws on them, free text is made printable and shortened, and the counts kept per day are
 * bounded (policies, failure kinds, journal size, destinations per domain).
 */
package dev.mailflow.tlspolicy.tlsrpt;
