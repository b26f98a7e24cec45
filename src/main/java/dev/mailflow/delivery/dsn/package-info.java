/**
 * Delivery status notifications (RFC 3461, 3462, 3464): failure, delay and success reports
 * as multipart/report messages with a readable first part in the spirit of Exchange's NDR,
 * a message/delivery-status part, and the original message or its headers. DSNs come from
 * {@code <>} and are never sent to {@code <>}: no bounce of a bounce. A recipient's
 * Diagnostic-Code is {@code smtp;} only for a remote MTA's reply (with Remote-MTA), and
 * {@code X-Mailflow;} with our reason for any other failure (RFC 3464 2.3.6).
 */
package dev.mailflow.delivery.dsn;
