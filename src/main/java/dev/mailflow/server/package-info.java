/**
 * Receive connectors: the listeners that accept SMTP connections and run the conversation.
 *
 * <p>Implementation summary: each {@link ReceiveConnector} accepts on its own socket and
 * starts one virtual thread per connection; everything in a {@link Session} runs in that
 * thread with blocking I/O, straight-line code. A {@link Session} is the connection (HELO
 * name, error count, limits); a {@link Transaction} lives from MAIL to end of data or RSET.
 * Each command goes check, then policy hooks, then proceed (style.md, principles 2 to 4).
 * Replies come only from {@link dev.mailflow.smtp.Reply}.
 *
 * <p>SECURITY: everything read from the socket is untrusted. Line lengths, message sizes,
 * recipients, errors, connections and idle time are all bounded.
 */
package dev.mailflow.server;
