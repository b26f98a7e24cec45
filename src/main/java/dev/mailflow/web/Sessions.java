package dev.mailflow.web;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Admin sessions (cookie id and CSRF token) and the login rate limit. */
final class Sessions {

    static final Duration LIFETIME = Duration.ofHours(12);
    static final int LOGIN_FAILURES = 5;
    static final Duration LOGIN_WINDOW = Duration.ofMinutes(5);

    record Session(String id, String csrf, Instant expires) {
    }

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Map<InetAddress, ArrayDeque<Instant>> failures = new ConcurrentHashMap<>();
    private final Clock clock;

    Sessions(Clock clock) {
        this.clock = clock;
    }

    String token() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    Session create() {
        var s = new Session(token(), token(), clock.instant().plus(LIFETIME));
        sessions.put(s.id(), s);
        return s;
    }

    Session find(String id) {
        if (id == null) {
            return null;
        }
        var s = sessions.get(id);
        if (s != null && clock.instant().isAfter(s.expires())) {
            sessions.remove(id);
            return null;
        }
        return s;
    }

    void end(String id) {
        sessions.remove(id);
    }

    boolean loginBlocked(InetAddress client) {
        var q = failures.get(client);
        if (q == null) {
            return false;
        }
        synchronized (q) {
            Instant oldest = clock.instant().minus(LOGIN_WINDOW);
            while (!q.isEmpty() && q.peekFirst().isBefore(oldest)) {
                q.removeFirst();
            }
            return q.size() >= LOGIN_FAILURES;
        }
    }

    void loginFailed(InetAddress client) {
        var q = failures.computeIfAbsent(client, c -> new ArrayDeque<>());
        synchronized (q) {
            q.addLast(clock.instant());
        }
    }
}
