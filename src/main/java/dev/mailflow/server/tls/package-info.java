/**
 * TLS for receive connectors: STARTTLS (RFC 3207) and implicit TLS (RFC 8314), TLS 1.2 and
 * 1.3 only with forward-secret AEAD ciphers, client-initiated renegotiation refused
 * ({@link dev.mailflow.server.tls.JsseHardening}). Certificates come from PEM files (full
 * chain), picked up again on SIGHUP or when the files change; without them a self-signed
 * certificate for the host name is made at first start with Bouncy Castle and kept in the
 * data directory.
 */
package dev.mailflow.server.tls;
