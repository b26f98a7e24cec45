package dev.mailflow.queue;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Queue ids (the InternalId of the 250 reply): microseconds since the epoch, at least one
 * more than the last id given, so they are unique across restarts and sort by arrival.
 */
final class QueueIds {

    private final AtomicLong last = new AtomicLong();

    long next() {
        long now = System.currentTimeMillis() * 1000;
        return last.updateAndGet(prev -> Math.max(prev + 1, now));
    }

    void atLeast(long id) {
        last.accumulateAndGet(id, Math::max);
    }
}
