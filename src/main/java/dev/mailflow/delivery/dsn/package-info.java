/**
 * Delivery status notifications (RFC 3461, 3462, 3464): failure, delay and success reports
 * as multipart/report messages with a readable first part in the spirit of Exchange's NDR,
 * a message/delivery-status part, and the original message or its headers. DSNs come from
 * {@code <>} and are never sent to {@code <>}: no bounce of a bounce.
 */
package dev.mailflow.delivery.dsn;
