package dev.mailflow.queue;

import dev.mailflow.smtp.StatusCatalogue;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The operator's view of the queue, as {@code postqueue -p} and Exchange's Get-Queue give it,
 * and the actions on it. Used by the running server (through the admin channel) and by the
 * CLI directly when no server runs (the scheduler is null then).
 */
public final class QueueAdmin {

    private final QueueStore store;
    private final Scheduler scheduler;
    private final TrackingLog tracking;
    private final Clock clock;

    public QueueAdmin(QueueStore store, Scheduler scheduler, TrackingLog tracking, Clock clock) {
        this.store = store;
        this.scheduler = scheduler;
        this.tracking = tracking;
        this.clock = clock;
    }

    /** One line of the listing. */
    public record Summary(long id, QueueState state, String messageId, String sender, List<String> recipients,
                          long pending, long size, long ageSeconds, int attempts, String nextAttempt,
                          String lastError) {
    }

    /** The whole listing: counts per state and one summary per message. */
    public record Listing(Map<QueueState, Integer> counts, List<Summary> messages) {
    }

    /**
     * A message in detail, with the beginning of its header and each recipient as the
     * operator reads it.
     */
    public record Detail(QueuedMessage message, List<String> headers, List<RecipientLine> recipients) {
    }

    /**
     * One recipient in words: its last outcome on one line, and what its status code means
     * (from the one status catalogue, as the DSN and the tester say it).
     *
     * @param original    the address given in RCPT TO, when an alias replaced it; else null
     * @param explanation the enhanced status in words, or null before the first attempt
     * @param detail      the last outcome: our reason, then the remote reply; or null
     */
    public record RecipientLine(String address, String original, String status, String enhancedStatus,
                                String explanation, String detail) {

        static RecipientLine of(RecipientState r) {
            var code = r.enhancedStatus();
            return new RecipientLine(r.address().toString(),
                    r.original().equals(r.address()) ? null : r.original().toString(),
                    r.status().name().toLowerCase(java.util.Locale.ROOT), code == null ? null : code.toString(),
                    code == null ? null : StatusCatalogue.meaning(code), r.describe());
        }
    }

    /** What an action did. */
    public record Result(boolean ok, String message) {
    }

    public Listing list(QueueState filter) throws IOException {
        var counts = new EnumMap<QueueState, Integer>(QueueState.class);
        for (var s : QueueState.values()) {
            if (s != QueueState.INCOMING) {
                counts.put(s, 0);
            }
        }
        var summaries = new ArrayList<Summary>();
        for (var m : store.list(null)) {
            counts.merge(m.state(), 1, Integer::sum);
            if (filter != null && m.state() != filter) {
                continue;
            }
            summaries.add(summarize(m));
        }
        return new Listing(counts, summaries);
    }

    Summary summarize(QueuedMessage m) {
        var e = m.envelope();
        var st = m.status();
        return new Summary(m.id(), m.state(), e.messageId(), e.sender().toString(),
                st.recipients().stream().map(r -> r.address().toString()).toList(), st.pendingCount(), e.size(),
                Duration.between(e.receivedAt(), clock.instant()).toSeconds(), st.attempts(),
                st.nextAttempt() == null ? null : st.nextAttempt().toString(), st.lastError());
    }

    public Detail show(long id) throws IOException {
        var m = store.load(id);
        if (m == null) {
            return null;
        }
        var headers = new ArrayList<String>();
        try (InputStream in = store.openContent(id)) {
            byte[] head = in.readNBytes(64 * 1024);
            for (String line : new String(head, StandardCharsets.UTF_8).split("\r?\n", -1)) {
                if (line.isEmpty() || headers.size() >= 200) {
                    break;
                }
                headers.add(line);
            }
        }
        return new Detail(m, headers, m.status().recipients().stream().map(RecipientLine::of).toList());
    }

    /** Deferred (or active) messages are tried again now. */
    public Result retry(long id) throws IOException {
        return locked(id, () -> {
            var m = store.load(id);
            if (m == null) {
                return new Result(false, "no message " + id + " in the queue");
            }
            if (m.state() == QueueState.HOLD) {
                return new Result(false, "message " + id + " is on hold: release it first");
            }
            if (m.state() == QueueState.DEFERRED) {
                store.update(m, QueueState.ACTIVE, m.status().retryNow());
            }
            if (scheduler != null) {
                scheduler.schedule(id, null);
            }
            event("RETRY", m);
            return new Result(true, "message " + id + " will be tried again now");
        });
    }

    public Result retryAll() throws IOException {
        int n = 0;
        for (var m : store.list(QueueState.DEFERRED)) {
            if (retry(m.id()).ok()) {
                n++;
            }
        }
        return new Result(true, n + " deferred message(s) will be tried again now");
    }

    public Result hold(long id) throws IOException {
        return locked(id, () -> {
            var m = store.load(id);
            if (m == null) {
                return new Result(false, "no message " + id + " in the queue");
            }
            if (m.state() == QueueState.HOLD) {
                return new Result(true, "message " + id + " is already on hold");
            }
            store.update(m, QueueState.HOLD, m.status());
            if (scheduler != null) {
                scheduler.unschedule(id);
            }
            event("HOLD", m);
            return new Result(true, "message " + id + " is on hold");
        });
    }

    public Result release(long id) throws IOException {
        return locked(id, () -> {
            var m = store.load(id);
            if (m == null) {
                return new Result(false, "no message " + id + " in the queue");
            }
            if (m.state() != QueueState.HOLD) {
                return new Result(false, "message " + id + " is not on hold (it is " + m.state().directory() + ")");
            }
            store.update(m, QueueState.ACTIVE, m.status().retryNow());
            if (scheduler != null) {
                scheduler.schedule(id, null);
            }
            event("RELEASE", m);
            return new Result(true, "message " + id + " released");
        });
    }

    public Result delete(long id) throws IOException {
        return locked(id, () -> {
            var m = store.load(id);
            if (m == null) {
                return new Result(false, "no message " + id + " in the queue");
            }
            store.remove(id);
            if (scheduler != null) {
                scheduler.unschedule(id);
            }
            event("DELETE", m);
            return new Result(true, "message " + id + " deleted without notice to the sender");
        });
    }

    private Result locked(long id, Scheduler.IoSupplier<Result> action) throws IOException {
        return scheduler == null ? action.get() : scheduler.withLock(id, action);
    }

    private void event(String name, QueuedMessage m) {
        if (tracking != null) {
            var e = m.envelope();
            tracking.write(new TrackingEvent(clock.instant(), name, m.id(), e.messageId(), e.sender().toString(),
                    m.status().recipients().stream().map(r -> r.address().toString()).toList(), null, null,
                    e.size(), null, "by the operator", null));
        }
    }
}
