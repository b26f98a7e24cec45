package dev.mailflow.server.protection;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's log of lists that do not answer as they should, said once per list and kind of
 * problem per {@link #INTERVAL} with the count since the last time, so that a list that refuses
 * every query (127.255.255.254: asked through a public resolver) is loud in the log without
 * filling it. Lives as long as the server (a reload keeps it). A list's own error is a WARN:
 * until it is fixed, that list blocks nothing; a DNS failure is an INFO.
 */
public final class ListWarnings {

    private static final Logger LOG = LoggerFactory.getLogger(ListWarnings.class);

    /** How often one list's problem of one kind is written to the log at most. */
    public static final Duration INTERVAL = Duration.ofMinutes(10);

    private record Key(String zone, ClientReputation.Problem.Kind kind) {
    }

    private final class Entry {
        final java.util.concurrent.atomic.AtomicReference<Instant> lastLogged =
                new java.util.concurrent.atomic.AtomicReference<>();
        final LongAdder total = new LongAdder();
        final LongAdder sinceLogged = new LongAdder();
    }

    private final Clock clock;
    private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();

    public ListWarnings(Clock clock) {
        this.clock = clock;
    }

    /**
     * Counts a problem, and logs it when this list's problems of its kind have not been logged
     * within the interval.
     *
     * @return whether it was logged now
     */
    public boolean report(ClientReputation.Problem problem, String client) {
        var entry = entries.computeIfAbsent(new Key(problem.zone(), problem.kind()), k -> new Entry());
        entry.total.increment();
        entry.sinceLogged.increment();
        Instant now = clock.instant();
        Instant last = entry.lastLogged.get();
        if (last != null && now.isBefore(last.plus(INTERVAL)) || !entry.lastLogged.compareAndSet(last, now)) {
            return false;
        }
        long count = entry.sinceLogged.sumThenReset();
        String more = count > 1 ? " (" + count + " times since the last message about it)" : "";
        if (problem.kind() == ClientReputation.Problem.Kind.LIST_ERROR) {
            LOG.warn("DNS list {} gave no usable answer for client {}: {}; the client is taken as not listed and"
                    + " its mail accepted{}; said at most once per {} minutes", problem.zone(), client,
                    problem.detail(), more, INTERVAL.toMinutes());
        } else {
            LOG.info("DNS list {} for client {}: {}; the mail passes{}; said at most once per {} minutes",
                    problem.zone(), client, problem.detail(), more, INTERVAL.toMinutes());
        }
        return true;
    }

    /** Problems of this kind with this list since the start. */
    public long count(String zone, ClientReputation.Problem.Kind kind) {
        var e = entries.get(new Key(zone, kind));
        return e == null ? 0 : e.total.sum();
    }
}
