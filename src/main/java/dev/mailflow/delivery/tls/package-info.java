/**
 * Outbound TLS policy: what a connection to a next hop must prove before mail is sent over it.
 * For each destination the policy is found before connecting ({@link TlsPolicyFinder}): DANE
 * when the MX host's TLSA records are DNSSEC-validated (RFC 7672), else MTA-STS when the
 * domain publishes a policy (RFC 8461), else opportunistic TLS (RFC 7435); an operator's
 * {@code [[tls_policy]]} or send connector can name the level instead, in the spirit of
 * Postfix's {@code smtp_tls_policy_maps}. The SMTP session asks a {@link HostPolicy} what to
 * do at STARTTLS and checks the peer's certificate chain after the handshake, before MAIL
 * FROM: nothing of a message crosses a connection its policy refused.
 */
package dev.mailflow.delivery.tls;
