/**
 * SMTP authentication (RFC 4954) for receive connectors: SASL PLAIN (RFC 4616) and LOGIN,
 * passwords checked against bcrypt hashes in the configuration.
 *
 * <p>How: {@link dev.mailflow.server.auth.AuthFailureLimiter} counts failures per client
 * network (IPv4 address, IPv6 /64) and per account within a window, and no success clears
 * them; {@link dev.mailflow.server.auth.PasswordVerifier} runs every check on a small bounded
 * pool of platform threads, at the cost of one bcrypt whether the account exists or not.
 * SECURITY: user names and passwords are the client's; credentials never reach a log, and
 * memory kept per client is bounded.
 */
package dev.mailflow.server.auth;
