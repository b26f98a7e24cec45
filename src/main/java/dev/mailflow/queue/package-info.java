/**
 * The durable spool between receiving and delivering.
 *
 * <p>Implementation summary: a message is written to {@code queue/incoming/} while it
 * arrives; on commit its content file is fsynced and renamed into {@code queue/active/},
 * then its envelope is written next to it (temporary name, fsync, rename, fsync of the
 * directory). Only then does the server reply 250. A content file without an envelope is
 * an incomplete message and is never delivered. Scheduling and delivery build on this
 * storage interface and are not part of it (style.md, principle 7).
 */
package dev.mailflow.queue;
