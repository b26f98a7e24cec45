package dev.mailflow.server.auth;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed authentications per client address across connections: past the limit within the
 * window, AUTH is refused without checking (454 4.7.0) until old failures age out.
 */
public final class AuthFailureLimiter {

    private final int limit;
    private final Duration window;
    private final Clock clock;
    private final Map<InetAddress, ArrayDeque<Instant>> failures = new ConcurrentHashMap<>();

    public AuthFailureLimiter(int limit, Duration window, Clock clock) {
        this.limit = limit;
        this.window = window;
        this.clock = clock;
    }

    public boolean blocked(InetAddress client) {
        var q = failures.get(client);
        if (q == null) {
            return false;
        }
        synchronized (q) {
            prune(q);
            return q.size() >= limit;
        }
    }

    public void failed(InetAddress client) {
        var q = failures.computeIfAbsent(client, c -> new ArrayDeque<>());
        synchronized (q) {
            prune(q);
            q.addLast(clock.instant());
        }
    }

    public void succeeded(InetAddress client) {
        failures.remove(client);
    }

    private void prune(ArrayDeque<Instant> q) {
        Instant oldest = clock.instant().minus(window);
        while (!q.isEmpty() && q.peekFirst().isBefore(oldest)) {
            q.removeFirst();
        }
    }
}
