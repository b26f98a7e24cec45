/**
 * SPF, RFC 7208: may this client address send mail for this domain? No SMTP I/O; DNS only
 * through {@link dev.mailflow.dns.DnsResolver}, so tests give it a {@link dev.mailflow.dns.Zone}
 * and the server the shared cache.
 *
 * <p>Entry point {@link dev.mailflow.auth.spf.Spf}: {@code checkMailFrom(ip, mailFrom, helo)}
 * (the HELO identity when the sender is null, RFC 7208 2.4), {@code checkHelo(ip, helo)} (2.3),
 * {@code checkHost(ip, domain, sender, helo)} (the RFC's check_host(), 4). The answer is an
 * {@link dev.mailflow.auth.spf.SpfOutcome}: the {@link dev.mailflow.auth.spf.SpfResult} word,
 * the reason in one sentence (which term matched in which domain's record, which lookup failed
 * and what the server did, what is wrong with a record), the domain's exp= explanation for a
 * fail, the deciding record and term, a trace of the steps, and the lookup counts.
 *
 * <p>The classes, each with its sections:
 *
 * <ul>
 * <li>{@code SpfRecord}: record selection test and the parse of a whole record before any
 *     evaluation (4.5, 4.6, 5, 6, 12), so that an error anywhere is a permerror.
 * <li>{@code Mechanism}, {@code Qualifier}: the terms (5, 4.6.2).
 * <li>{@code MacroString}, {@code MacroValues}: macros (7): parsed and checked with the
 *     record, expanded per check; upper-case forms URL-escaped; c, r, t only in explanations.
 * <li>{@code Addresses}: strict ip4/ip6 syntax (5.6), CIDR matching, %{i} and %{c}, IPv4-mapped
 *     clients as IPv4 (5).
 * <li>{@code Evaluation}: one check_host() with its shared limits (4.6.4): 10 DNS-querying
 *     terms, 2 void lookups (counted once per term), 10 MX hosts (more is a permerror), 10 PTR
 *     names (the rest ignored), a time limit (20 s) whose overrun is a temperror.
 * <li>{@code Spf}: identities, and the explanation (6.2), fetched once after a fail, never
 *     counted against the limits, ignored on any trouble.
 * </ul>
 *
 * <p>Choices where the RFC leaves room (each checked against the OpenSPF suite and pyspf):
 * DNS errors are temperror except in the PTR lookups of ptr and %{p} (5.5: the names are
 * skipped); a target name that cannot exist in DNS (empty or 64-octet label) does not match;
 * %{i} of an IPv6 client is written in upper-case nibbles, as pyspf writes it.
 *
 * <p>SECURITY: records, explanations and the sender's local-part and HELO are untrusted. The
 * limits bound the work one check can cause; text is shown with control and non-ASCII
 * characters escaped; no address literal is ever resolved as a host name.
 */
package dev.mailflow.auth.spf;
