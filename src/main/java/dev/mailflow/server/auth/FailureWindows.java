package dev.mailflow.server.auth;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Recent failures per key (a client network, an account) within a sliding window, and the
 * checks still running for it. Not thread-safe: {@link AuthFailureLimiter} holds the lock.
 *
 * <p>SECURITY: the keys come from clients (an attacker picks user names and, with IPv6,
 * networks), so memory is bounded twice: a key keeps at most {@code limit} failure times,
 * the only ones that can decide a verdict; and at most {@code maxKeys} keys are kept, those
 * untouched for a whole window are dropped, and when the map is still full the one touched
 * longest ago goes. Evicting needs {@code maxKeys} fresh failures in between, each a bcrypt,
 * so a key under attack (touched at every guess) is not the one that goes.
 */
final class FailureWindows<K> {

    private static final class Entry {
        final long[] times;
        int first;
        int count;
        int pending;
        long touched;

        Entry(int limit) {
            times = new long[limit];
        }

        void prune(long oldest) {
            while (count > 0 && times[first] < oldest) {
                first = (first + 1) % times.length;
                count--;
            }
        }

        void add(long now) {
            if (count == times.length) {
                first = (first + 1) % times.length;
                count--;
            }
            times[(first + count) % times.length] = now;
            count++;
        }
    }

    private final int limit;
    private final long windowMillis;
    private final int maxKeys;
    /** Access order, and every access touches: the eldest entry is the one touched longest ago. */
    private final LinkedHashMap<K, Entry> entries = new LinkedHashMap<>(64, 0.75f, true);

    FailureWindows(int limit, long windowMillis, int maxKeys) {
        if (limit < 1 || windowMillis < 1 || maxKeys < 1) {
            throw new IllegalArgumentException("limit, window and size must be positive");
        }
        this.limit = limit;
        this.windowMillis = windowMillis;
        this.maxKeys = maxKeys;
    }

    /** Whether the failures in the window and the checks running reach the limit. */
    boolean reached(K key, long now) {
        expire(now);
        var e = entries.get(key);
        if (e == null) {
            return false;
        }
        e.touched = now;
        e.prune(now - windowMillis);
        return e.count + e.pending >= limit;
    }

    /** A check for {@code key} starts: it counts against the limit until {@link #end}. */
    void begin(K key, long now) {
        entry(key, now).pending++;
    }

    /** The check ends; a failed one stays counted for the window. */
    void end(K key, boolean failed, long now) {
        var e = entry(key, now);
        if (e.pending > 0) {
            e.pending--;
        }
        if (failed) {
            e.prune(now - windowMillis);
            e.add(now);
        }
    }

    int size() {
        return entries.size();
    }

    private Entry entry(K key, long now) {
        expire(now);
        var e = entries.get(key);
        if (e == null) {
            if (entries.size() >= maxKeys) {
                var eldest = entries.entrySet().iterator();
                eldest.next();
                eldest.remove();
            }
            e = new Entry(limit);
            entries.put(key, e);
        }
        e.touched = now;
        return e;
    }

    /** Drops the keys untouched for a whole window (all their failures are older than it). */
    void expire(long now) {
        long oldest = now - windowMillis;
        for (Iterator<Map.Entry<K, Entry>> it = entries.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next().getValue();
            if (e.touched >= oldest || e.pending > 0) {
                break;
            }
            it.remove();
        }
    }
}
