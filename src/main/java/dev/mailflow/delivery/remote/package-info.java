/**
 * Remote delivery: MX resolution with dnsjava (RFC 5321 5.1, RFC 7505 null MX) and delivery
 * to the next hop with the shared SMTP client, recipient by recipient outcomes, next MX on
 * temporary failure.
 */
package dev.mailflow.delivery.remote;
