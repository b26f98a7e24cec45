package dev.mailflow.queue;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Queue ids (the InternalId of the 250 reply): microseconds since the epoch, at least one
 * more than the last id given, so they are unique across restarts and sort by arrival.
 */
public final class QueueIds {

    private final AtomicLong last = new AtomicLong();

    QueueIds() {
    }

    long next() {
        long now = System.currentTimeMillis() * 1000;
        return last.updateAndGet(prev -> Math.max(prev + 1, now));
    }

    void atLeast(long id) {
        last.accumulateAndGet(id, Math::max);
    }

    /**
     * A queue id as a person types it (the CLI, the console's API).
     *
     * @throws IllegalArgumentException saying what a queue id is
     */
    public static long parse(String text) {
        String t = text == null ? "" : text.strip();
        if (t.matches("\\d{1,18}")) {
            return Long.parseLong(t);
        }
        throw new IllegalArgumentException((t.isEmpty() ? "an empty id" : t)
                + " is not a queue id (ids are the numbers that queue list shows)");
    }
}
