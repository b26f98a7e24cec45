/**
 * One blocking SMTP client, used by remote delivery and by the tester (style.md: client/).
 *
 * <p>{@link SmtpClient} speaks RFC 5321 with the extensions a server offers in its EHLO
 * reply: PIPELINING (RFC 2920), SIZE (1870), 8BITMIME (6152), CHUNKING (3030), SMTPUTF8
 * (6531), DSN (3461), STARTTLS (3207). Every line both ways can go to a transcript listener.
 * Timeouts follow RFC 5321 4.5.3.2. SECURITY: replies come from an untrusted peer; lines are
 * bounded and malformed replies end the session with an error, never a hang.
 * {@link NetworkErrors} says what a failure was in words of our choosing, for remote
 * delivery and the tester alike, never the exception's own text.
 */
package dev.mailflow.client;
