package dev.mailflow.server.limits;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link RateCounters} in memory: for each key the times of its last events, at most as many
 * as the limit (an exact sliding window). Memory is bounded: at most {@code maxKeys} keys, the
 * least recently used forgotten first, so a flood of client addresses costs at most
 * {@code maxKeys} times the largest limit of timestamps. A forgotten key starts again at zero,
 * which errs towards accepting mail.
 */
public final class SlidingWindowCounters implements RateCounters {

    /** Keys kept at most by default: a busy server's distinct clients and users of an hour. */
    public static final int DEFAULT_MAX_KEYS = 100_000;

    private final Map<String, ArrayDeque<Long>> events;

    public SlidingWindowCounters(int maxKeys) {
        this.events = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, ArrayDeque<Long>> eldest) {
                return size() > maxKeys;
            }
        };
    }

    public SlidingWindowCounters() {
        this(DEFAULT_MAX_KEYS);
    }

    @Override
    public synchronized boolean tryAcquire(String key, int limit, Duration window, Instant now) {
        if (limit <= 0) {
            return true;
        }
        long at = now.toEpochMilli();
        long since = at - window.toMillis();
        var times = events.computeIfAbsent(key, k -> new ArrayDeque<>());
        while (!times.isEmpty() && (times.peekFirst() <= since || times.size() > limit)) {
            times.removeFirst();
        }
        if (times.size() >= limit) {
            return false;
        }
        times.addLast(at);
        return true;
    }

    /** Keys tracked now (for tests of the bound). */
    public synchronized int keys() {
        return events.size();
    }
}
