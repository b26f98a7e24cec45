/**
 * SMTP authentication (RFC 4954) for receive connectors: SASL PLAIN (RFC 4616) and LOGIN,
 * passwords checked against bcrypt hashes in the configuration, failures slowed down per
 * connection and limited per client address. SECURITY: credentials never reach a log.
 */
package dev.mailflow.server.auth;
