/**
 * Outbound TLS policy: what a sending MTA must demand of the next hop's TLS, decided before it
 * connects, with no SMTP I/O of its own, so that remote delivery and the tester share it (as
 * {@code dev.mailflow.auth} is shared by the receive side and the tester).
 *
 * <ul>
 * <li>{@link dev.mailflow.tlspolicy.TrustAnchors}: the certificate authorities outbound TLS
 *     trusts, the JDK's plus the operator's {@code [delivery] ca_file}.
 * <li>{@link dev.mailflow.tlspolicy.WebPki}: a peer's chain checked against those anchors and a
 *     host name (RFC 6125 6.4, RFC 8461 4.1), with the reason in an operator's words.
 * <li>{@code mtasts}: MTA-STS (RFC 8461), the record, the policy, its fetch, cache and the
 *     per-domain decision; and the listener that publishes our own policy.
 * <li>{@code dane}: DANE for SMTP (RFC 7672). {@code tlsrpt}: TLS reporting (RFC 8460).
 * </ul>
 */
package dev.mailflow.tlspolicy;
