/**
 * Remote delivery: MX resolution with dnsjava (RFC 5321 5.1, RFC 7505 null MX) and delivery
 * to the next hop with the shared SMTP client, recipient by recipient outcomes, next MX on
 * temporary failure; each message signed on its way out (DKIM, through
 * {@link dev.mailflow.delivery.signing.OutboundSigner}) over the exact form it is sent in.
 */
package dev.mailflow.delivery.remote;
