package dev.mailflow.delivery.remote;

import dev.mailflow.client.SmtpClient;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Open SMTP sessions kept for the next message to the same next hop (as Postfix's connection
 * cache): a session comes back here after a finished transaction and is reused for up to
 * {@link #MAX_IDLE_NANOS} idle and {@link #MAX_USES} messages, then closed with QUIT.
 */
final class ConnectionCache {

    static final long MAX_IDLE_NANOS = 2_000_000_000L;
    static final int MAX_USES = 100;
    static final int MAX_PER_KEY = 10;

    private record Idle(SmtpClient client, long since, int uses) {
    }

    private final Map<String, ArrayDeque<Idle>> idle = new HashMap<>();

    /** A live session for this next hop, or null; {@code uses[0]} receives how often it was used. */
    synchronized SmtpClient take(String key, int[] uses) {
        var q = idle.get(key);
        long now = System.nanoTime();
        while (q != null && !q.isEmpty()) {
            var i = q.pollFirst();
            if (now - i.since() < MAX_IDLE_NANOS) {
                uses[0] = i.uses();
                return i.client();
            }
            i.client().quit();
        }
        return null;
    }

    /** Keeps a session after a finished transaction; closes it when it has served enough. */
    void give(String key, SmtpClient client, int uses) {
        boolean keep;
        synchronized (this) {
            var q = idle.computeIfAbsent(key, k -> new ArrayDeque<>());
            keep = uses < MAX_USES && q.size() < MAX_PER_KEY;
            if (keep) {
                q.addLast(new Idle(client, System.nanoTime(), uses));
            }
        }
        if (!keep) {
            client.quit();
        }
    }

    /** Closes every idle session (at shutdown). */
    synchronized void closeAll() {
        idle.values().forEach(q -> q.forEach(i -> i.client().quit()));
        idle.clear();
    }
}
