/**
 * MTA-STS, RFC 8461: how a sending MTA learns that a domain wants TLS with a WebPKI-valid
 * certificate to its MX hosts, and how we publish the same for our own domains.
 *
 * <ul>
 * <li>{@link dev.mailflow.tlspolicy.mtasts.MtaStsRecord}: the {@code _mta-sts} TXT record (3.1).
 * <li>{@link dev.mailflow.tlspolicy.mtasts.MtaStsPolicy}: the policy body (3.2) and MX matching (4.1).
 * <li>{@link dev.mailflow.tlspolicy.mtasts.HttpsPolicyFetcher}: the HTTPS fetch (3.3), a small
 *     bounded HTTP/1.1 client over an SSLSocket to the address our resolver gives, with SNI and
 *     the certificate check on the policy host name.
 * <li>{@link dev.mailflow.tlspolicy.mtasts.PolicyStore}: the cache on disk, one file per domain.
 * <li>{@link dev.mailflow.tlspolicy.mtasts.MtaSts}: the per-domain decision (5.1, 10.2), used by
 *     remote delivery and the tester: {@code NoPolicy(why)} or {@code Active(policy, ...)}.
 * <li>{@link dev.mailflow.tlspolicy.mtasts.PublishedPolicy} and
 *     {@link dev.mailflow.tlspolicy.mtasts.PolicyListener}: our own policy, its id and TXT record,
 *     and the HTTPS listener serving it for {@code mta-sts.<accepted domain>}.
 * </ul>
 *
 * SECURITY: everything fetched is untrusted until parsed; every read is bounded in size and time.
 */
package dev.mailflow.tlspolicy.mtasts;
