/**
 * The durable queue between receiving and delivering, its scheduler and the message
 * tracking log.
 *
 * <p>Implementation summary (after Postfix's queue and maddy's queue.go):
 * <ul>
 * <li>A message arrives in {@code queue/incoming/<id>.tmp}: the content as received, then
 * the envelope as JSON and a fixed-size footer giving its length. At the end of data the
 * file is fsynced and renamed to {@code queue/messages/<id>.msg}, and the directory is
 * fsynced; sessions committing at the same time share that directory fsync (group commit,
 * {@link DirectorySync}). Only then does the server reply 250. The message file never
 * changes after that.
 * <li>A message's state (active, deferred, hold, corrupt) and its per-recipient status
 * live in a small JSON file in the state's directory, {@code queue/<state>/<id>.json},
 * written by write-fsync-rename. A committed message with no status file yet is active
 * and new.
 * <li>Delivery to a mailbox is made idempotent by the mailbox itself: the Maildir file name
 * is derived from the queue id and the mailbox, so a delivery repeated after a crash finds
 * its earlier copy and counts it as done. Status files are written only when a message is
 * deferred, held or failed, never on the fast path.
 * <li>A delivered message is removed: message file first, then status file, so a crash in
 * between leaves an orphan status that recovery deletes, never a message to deliver twice.
 * A small removed message file is renamed to {@code queue/spare/} rather than deleted, and a
 * new message takes it once the removal is durable ({@link SpareFiles}): no inode is
 * allocated or freed per message.
 * <li>Recovery at start: {@code incoming/} is emptied (those never got a 250), orphan status
 * files are removed, every committed message goes back to the scheduler.
 * </ul>
 * The scheduler works on the {@link QueueStore} interface only, with a filesystem and an
 * in-memory implementation (style.md, principle 7).
 *
 * <p>Each attempt gives each recipient a typed {@link DeliveryOutcome} (style.md, principle
 * 6; Postfix's {@code dsn_buf}): a class-checked enhanced status from {@link DeliveryCodes}
 * or a remote reply, our reason, and the {@link RemoteReply} apart from it. Retries, the
 * tracking log, the queue listing and DSNs all read it; the status files keep it, and
 * {@link RecipientStateJson} still reads the files of Mailflow 0.1.0.
 */
package dev.mailflow.queue;
