/**
 * DMARC, RFC 9989 (which replaced RFC 7489 and RFC 9091 in 2026), as a Mail Receiver applies
 * it (section 5.3), with no SMTP I/O and DNS through {@link dev.mailflow.dns.DnsResolver}.
 *
 * <p>How it works:
 * <ul>
 * <li>{@code AuthorDomains} takes the Author Domain from the RFC5322.From field (5.3.1):
 *     A-label, lower case; several From fields or mailboxes are each evaluated and the
 *     strictest outcome stands (11.5); none is result none.</li>
 * <li>{@link dev.mailflow.auth.dmarc.DmarcRecord} parses a policy record (4.7, 4.8): v=DMARC1
 *     first, p, sp, np, adkim, aspf, t, psd, fo, rua, ruf; unknown tags and RFC 7489's pct, rf,
 *     ri ignored; invalid values fall back to defaults, an invalid p/sp/np is the 4.10.1 rule.</li>
 * <li>{@code TreeWalk} is the DNS Tree Walk (4.10): at most eight {@code _dmarc} queries per
 *     walk, several DMARC records at one name discarded, psd=y/n stopping it, and the
 *     Organizational Domain chosen from what it found (4.10.2). No public suffix list.</li>
 * <li>{@link dev.mailflow.auth.dmarc.Dmarc} puts it together: policy discovery (4.10.1), p/sp/np
 *     (np for a subdomain that does not exist, 3.2.13 and A.4, asked with A, AAAA and MX),
 *     strict or relaxed alignment of the SPF and DKIM passes (4.4), pass or fail (5.3.5), and
 *     temperror for any DNS failure on the way (5.3.6). Each
 *     {@link dev.mailflow.auth.dmarc.DmarcOutcome} carries a reason and a trace in words; its
 *     disposition honours t=y (one level less, 4.7).</li>
 * </ul>
 *
 * <p>No reports are sent (rua= and ruf= are kept in the record for a later reporter).
 *
 * <p>SECURITY: messages and DNS answers are untrusted; nothing here throws on them, every
 * quoted value is shortened to printable ASCII, and the walk's query count is bounded.
 */
package dev.mailflow.auth.dmarc;
