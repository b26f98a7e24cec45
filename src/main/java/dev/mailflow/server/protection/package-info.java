/**
 * Connection filtering (Exchange's word; Postfix's postscreen and smtpd restrictions): what a
 * receive connector learns about a client from DNS before it takes mail from it.
 *
 * <p>Implementation summary. The server owns one {@link ConnectionFilter}: the resolver (the
 * {@code [delivery] dns_server} one, whose cache keeps each list answer for its TTL), the
 * threads the lookups run on, and {@link ListWarnings}, the log of lists that misbehave; all of
 * it outlives a reload. Its hook, first among a connector's hooks, gives each session its own
 * checks:
 *
 * <ul>
 * <li>DNS block and allow lists (RFC 5782), {@link DnsList} entries in postscreen's syntax
 *     ({@code zone=127.0.0.[2..11]*3}), asked at connect in parallel, one query per zone
 *     ({@link DnsListCheck}), read at HELO, refused at RCPT; the result is noted on the
 *     session as a {@link ClientReputation} for the other hooks (greylisting skips
 *     allow-listed clients).</li>
 * <li>Forward-confirmed reverse DNS ({@link ForwardConfirmation}), always, noted as
 *     {@link ReverseDns} at connect (the milter's {@code {client_name}}); required on
 *     connectors with {@code require_fcrdns}.</li>
 * <li>The greeting delay (postscreen's pregreet test) is the session's own, since it needs the
 *     connection: see {@code Session} and {@code greeting_delay}.</li>
 * </ul>
 *
 * <p>SECURITY: list answers are data from outside. Only an A record in 127.0.0.0/8 outside
 * 127.255.255.0/24 can list a client; a list's error code or a rewritten NXDOMAIN lists no
 * one, so a list that turns against us (over quota, asked through a public resolver) makes
 * mail pass rather than bounce everything. A DNS failure never refuses mail for good. The
 * reverse DNS follows at most ten PTR names, and every lookup ends by the connector's
 * deadline.
 */
package dev.mailflow.server.protection;
