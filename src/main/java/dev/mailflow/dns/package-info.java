/**
 * DNS for all of Mailflow: one small resolver interface, one cache, and a zone fake. A leaf
 * package: it depends on dnsjava and on no other Mailflow package, so the server, remote
 * delivery, the tester and the authentication checks can all use it without pointing against
 * the flow.
 *
 * <p>How it fits together:
 *
 * <ul>
 * <li>{@link dev.mailflow.dns.DnsResolver}: {@code lookup(name, RecordType.MX)} and short forms
 *     for A, AAAA, MX, TXT, PTR and TLSA. Typed record types ({@link dev.mailflow.dns.RecordType})
 *     give typed answers, so a new type (SVCB, say) is a constant and a case in the dnsjava
 *     conversion, not a new method everywhere.
 * <li>{@link dev.mailflow.dns.DnsAnswer}: sealed, three cases and no exceptions. {@code Found}
 *     (records, TTL, authenticated), {@code NotFound} (NXDOMAIN or no data of the type, told
 *     apart: SPF's void-lookup limit counts both, DMARC and the tester tell them apart) and
 *     {@code TempFail} (the reason in words, naming the server and what it did: timed out,
 *     SERVFAIL, refused). A caller that turns TempFail into a permanent refusal is wrong by
 *     construction: the type says "ask again later".
 * <li>{@link dev.mailflow.dns.DnsjavaResolver}: the network. The configured server
 *     ({@code [delivery] dns_server}, so that tests use a DNS server on loopback) or the
 *     system's resolvers; a timeout and a second try; TCP after a truncated UDP answer; CNAME
 *     chains followed; only answer-section records of the asked name used (SECURITY). DNSSEC
 *     two ways: by default the AD bit is believed only from a server on loopback (a local
 *     validating resolver, as maddy and Postfix do for DANE); with a trust anchor file (or the
 *     IANA root anchor shipped as {@code dns/root-anchors.ds}) dnsjava's ValidatingResolver
 *     validates here, from any server. A bogus answer is a TempFail (SERVFAIL), never NotFound.
 * <li>{@link dev.mailflow.dns.CachingResolver}: the one shared cache, in front of any resolver.
 *     TTLs honoured with caps, negative answers per RFC 2308 with a shorter cap, failures for a
 *     few seconds, bounded size with least-recently-used eviction. The application builds one
 *     ({@link dev.mailflow.dns.DnsResolver#create(String, java.nio.file.Path)}) and hands it to
 *     every part.
 * <li>{@link dev.mailflow.dns.Zone}: an in-memory zone with timeout and SERVFAIL markers that
 *     records the questions asked: the unit tests' DNS.
 * </ul>
 *
 * <p>Names are presentation text without escapes; {@link dev.mailflow.dns.DnsNames} normalizes
 * them (case, final dot, IDNA A-labels) and says which can exist at all: asking for a name that
 * cannot exist (an empty or 64-octet label) gives NotFound without a query.
 */
package dev.mailflow.dns;
