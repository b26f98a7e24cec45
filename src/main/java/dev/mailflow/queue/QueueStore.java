package dev.mailflow.queue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * Storage of queued messages, apart from scheduling (style.md, principle 7). A filesystem
 * implementation serves one server; the in-memory one serves tests; PostgreSQL serves a
 * cluster ({@link PostgresQueueStore}, with {@link #shared()}).
 */
public interface QueueStore extends AutoCloseable {

    /** Starts receiving a message: allocates its id and opens its content for writing. */
    Incoming begin() throws IOException;

    /**
     * Cleans up after a crash and returns every committed message, by id, state and next
     * attempt. Called once, at start, before any message is received.
     */
    List<RecoveredMessage> recover() throws IOException;

    /**
     * Recovery in two steps, so that the server can take mail while a large queue is read: this
     * cleans up after a crash and prepares the store for new messages (ids above every queued
     * one); the returned {@link Recovery} reads the committed messages. Called once, at start,
     * instead of {@link #recover()}.
     */
    default Recovery beginRecovery() throws IOException {
        var all = recover();
        return found -> {
            all.forEach(found);
            return all.size();
        };
    }

    /** The second step of {@link #beginRecovery()}. */
    interface Recovery {
        /** Reads the committed messages, handing each to {@code found} as it is read; returns how many there were. */
        int run(java.util.function.Consumer<RecoveredMessage> found) throws IOException;
    }

    /** All committed messages in a state (or in all states when {@code state} is null). */
    List<QueuedMessage> list(QueueState state) throws IOException;

    /**
     * The ids of the committed messages in {@code state} (null: all states) above
     * {@code afterId}, smallest first, at most {@code limit} (0: all): a page of the queue,
     * from what the store can list cheaply (directory listings, an index), no content read.
     */
    default List<Long> ids(QueueState state, long afterId, int limit) throws IOException {
        var ids = list(state).stream().map(QueuedMessage::id).filter(id -> id > afterId).sorted();
        return (limit > 0 ? ids.limit(limit) : ids).toList();
    }

    /** A committed message, or null when there is none with that id. */
    QueuedMessage load(long id) throws IOException;

    /** The message content as received. */
    InputStream openContent(long id) throws IOException;

    /** The content of a message already loaded: implementations may skip reading its envelope again. */
    default InputStream openContent(QueuedMessage message) throws IOException {
        return openContent(message.id());
    }

    /** Durably records a new state and status for a committed message. */
    QueuedMessage update(QueuedMessage message, QueueState state, DeliveryStatus status) throws IOException;

    /** Removes a message for good (delivered, failed and reported, or deleted). */
    void remove(long id) throws IOException;

    /** How many messages are in each state, cheaply (for metrics and the overview). */
    default java.util.Map<QueueState, Integer> countByState() throws IOException {
        var counts = new java.util.EnumMap<QueueState, Integer>(QueueState.class);
        for (var m : list(null)) {
            counts.merge(m.state(), 1, Integer::sum);
        }
        return counts;
    }

    /**
     * The claims and leases of a queue several nodes share, or null for a queue one node owns
     * (the file and in-memory stores): the scheduler works through it without knowing the store.
     */
    default SharedWork shared() {
        return null;
    }

    /** Octets free for the queue, for the disk-space check at MAIL. */
    long usableSpace() throws IOException;

    @Override
    default void close() {
    }

    /** A message being received. Exactly one of {@link #commit} or {@link #abort} ends it. */
    interface Incoming {

        long id();

        /** The content as received (after dot-unstuffing), written as it arrives. */
        OutputStream content();

        /**
         * What {@link #content()} has been given so far, to read before the commit (the checks
         * at the end of data). Flushes the content stream first.
         */
        InputStream written() throws IOException;

        /**
         * Replaces the content written so far with an edited one (a filter's header and body
         * changes, before the commit). The rewriter reads the current content and writes the
         * new one; until it returns without an error the current content stays as it was.
         * The id stays the same.
         */
        void rewrite(ContentRewriter rewriter) throws IOException;

        /**
         * Makes the message durable with its envelope. When this returns, the message is
         * on disk and will be delivered after any crash: a 250 may be sent.
         */
        QueuedMessage commit(Envelope envelope) throws IOException;

        /** Forgets the message and removes whatever was written. Never throws. */
        void abort();
    }

    /** Writes an edited content from the current one ({@link Incoming#rewrite}). */
    @FunctionalInterface
    interface ContentRewriter {
        void rewrite(InputStream current, OutputStream replacement) throws IOException;
    }
}
