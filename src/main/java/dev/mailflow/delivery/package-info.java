/**
 * Delivery: what the queue's scheduler calls to get a message where it goes. The
 * {@link Router} decides for each recipient: a local mailbox ({@code local/}, Maildir), an
 * alias to expand, or (with remote delivery) another server.
 */
package dev.mailflow.delivery;
