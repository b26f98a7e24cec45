package dev.mailflow.queue;

import dev.mailflow.smtp.StatusCatalogue;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
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

    /**
     * One line of the listing, with why the message waits: the last temporary error and the
     * next attempt, or the reason it is on hold.
     */
    public record Summary(long id, QueueState state, String messageId, String sender, List<String> recipients,
                          long pending, long size, long ageSeconds, int attempts, String nextAttempt,
                          String lastError, String holdReason, String node) {
    }

    /**
     * The whole listing: counts per state and one summary per message; in a cluster also its
     * nodes with their heartbeats, and in each summary the node that holds its lease.
     */
    /**
     * The counts per state (the whole queue), the messages asked for (oldest id first), how
     * many are in the state asked for (all states: the whole queue), the id to continue from
     * when there are more (else null), and the cluster's nodes (null for a queue of one node).
     */
    public record Listing(Map<QueueState, Integer> counts, List<Summary> messages, int matching, Long continueAfter,
                          List<SharedWork.Node> nodes) {
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
        return list(filter, 0, 0);
    }

    /**
     * The messages in {@code filter} (null: all) whose id is above {@code afterId}, oldest id
     * first, at most {@code limit} of them (0: all), with the counts of the whole queue.
     */
    public Listing list(QueueState filter, long afterId, int limit) throws IOException {
        var counts = new EnumMap<QueueState, Integer>(QueueState.class);
        for (var s : QueueState.ACCEPTED) {
            counts.put(s, 0);
        }
        counts.putAll(store.countByState());
        // One more id than the page: whether there is a next page.
        var ids = store.ids(filter, afterId, limit > 0 ? limit + 1 : 0);
        boolean more = limit > 0 && ids.size() > limit;
        var page = more ? ids.subList(0, limit) : ids;
        var shared = store.shared();
        Map<Long, String> holders = shared == null || page.isEmpty() ? Map.of() : shared.leaseHolders();
        var summaries = new ArrayList<Summary>(page.size());
        boolean foundDamaged = false;
        for (long id : page) {
            try {
                var m = store.load(id);
                if (m != null) { // else it left the queue since the listing
                    summaries.add(m.state() == QueueState.CORRUPT ? corrupt(id, m.envelope().messageId(),
                            "kept as corrupt: its content or envelope failed a check", m.envelope().size(),
                            m.envelope().receivedAt())
                            : summarize(m, holders.get(id)));
                }
            } catch (FileQueueStore.CorruptMessageException e) {
                // Kept for the operator: listed with why, so that it can be looked at or deleted.
                summaries.add(corrupt(id, null, e.getMessage(), e.size(), e.modified()));
                foundDamaged = true;
            }
        }
        if (foundDamaged) {
            // Reading the page found damage and moved it to corrupt: the counts say so too.
            for (var s : QueueState.ACCEPTED) {
                counts.put(s, 0);
            }
            counts.putAll(store.countByState());
        }
        int matching = filter == null ? counts.values().stream().mapToInt(Integer::intValue).sum()
                : counts.getOrDefault(filter, 0);
        return new Listing(counts, summaries, matching, more ? page.get(page.size() - 1) : null,
                shared == null ? null : shared.nodes());
    }

    /** A corrupt message: what is known of it (its file's size and time, -1 and null when not known). */
    private Summary corrupt(long id, String messageId, String why, long size, java.time.Instant since) {
        long age = since == null ? 0 : Math.max(0, Duration.between(since, clock.instant()).toSeconds());
        return new Summary(id, QueueState.CORRUPT, messageId, "", List.of(), 0, Math.max(0, size), age, 0, null, why,
                null, null);
    }

    Summary summarize(QueuedMessage m) {
        return summarize(m, null);
    }

    private Summary summarize(QueuedMessage m, String node) {
        var e = m.envelope();
        var st = m.status();
        return new Summary(m.id(), m.state(), e.messageId(), e.sender().toString(),
                st.recipients().stream().map(r -> r.address().toString()).toList(), st.pendingCount(), e.size(),
                Duration.between(e.receivedAt(), clock.instant()).toSeconds(), st.attempts(),
                st.nextAttempt() == null ? null : st.nextAttempt().toString(), st.lastError(),
                m.state() == QueueState.HOLD ? holdReason(st) : null, node);
    }

    /** Held before the reason was recorded: by the operator, the only one who held messages then. */
    private static String holdReason(DeliveryStatus st) {
        return st.holdReason() != null ? st.holdReason() : "held by the operator";
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

    /** When a message that is let go will be tried: now by the running server, or when one starts. */
    private String when() {
        return scheduler != null ? "now" : "when the server starts ('mailflow serve')";
    }

    /** Deferred (or active) messages are tried again now. */
    public Result retry(long id) throws IOException {
        return act(id, m -> {
            if (m.state() == QueueState.HOLD) {
                return new Result(false, "message " + id + " is on hold: release it first (mailflow queue release "
                        + id + ")");
            }
            if (m.state() == QueueState.DEFERRED) {
                store.update(m, QueueState.ACTIVE, m.status().retryNow());
            }
            if (scheduler != null) {
                scheduler.schedule(id, null);
            }
            event("RETRY", m, "by the operator");
            return new Result(true, "message " + id + " will be tried again " + when());
        });
    }

    public Result retryAll() throws IOException {
        int n = 0;
        for (var m : store.list(QueueState.DEFERRED)) {
            if (retry(m.id()).ok()) {
                n++;
            }
        }
        return new Result(true, n + " deferred message(s) will be tried again " + when());
    }

    public Result hold(long id) throws IOException {
        return act(id, m -> {
            if (m.state() == QueueState.HOLD) {
                return new Result(true, "message " + id + " is already on hold: " + holdReason(m.status()));
            }
            String reason = "held by the operator at " + clock.instant().truncatedTo(ChronoUnit.SECONDS);
            store.update(m, QueueState.HOLD, m.status().held(reason));
            if (scheduler != null) {
                scheduler.unschedule(id);
            }
            event("HOLD", m, "by the operator");
            return new Result(true, "message " + id + " is on hold: it is not delivered until it is released");
        });
    }

    /**
     * Back to delivery. A message held because it failed and no notice could be sent for it (a
     * bounce that bounced) has nothing left to deliver: its failed recipients are tried again.
     */
    public Result release(long id) throws IOException {
        return act(id, m -> {
            if (m.state() != QueueState.HOLD) {
                return new Result(false, "message " + id + " is not on hold (it is " + m.state().directory() + ")");
            }
            var released = m.status().released();
            var again = new ArrayList<String>();
            for (int i = 0; i < released.recipients().size(); i++) {
                if (m.status().recipients().get(i).isFinal() && !released.recipients().get(i).isFinal()) {
                    again.add(released.recipients().get(i).address().toString());
                }
            }
            store.update(m, QueueState.ACTIVE, released);
            if (scheduler != null) {
                scheduler.schedule(id, null);
            }
            event("RELEASE", m, again.isEmpty() ? "by the operator"
                    : "by the operator: failed recipients tried again");
            return new Result(true, "message " + id + " released: it will be tried again " + when()
                    + (again.isEmpty() ? "" : ", for " + String.join(", ", again) + " (which had failed)"));
        });
    }

    public Result delete(long id) throws IOException {
        try {
            store.load(id);
        } catch (FileQueueStore.CorruptMessageException e) {
            // Unreadable: nothing to tell the sender or the tracking log about, only to remove.
            return locked(id, () -> {
                store.remove(id);
                return new Result(true, "message " + id + " (unreadable, kept as corrupt) deleted");
            });
        }
        return act(id, m -> {
            store.remove(id);
            if (scheduler != null) {
                scheduler.unschedule(id);
            }
            event("DELETE", m, "by the operator");
            return new Result(true, "message " + id + " deleted without notice to the sender");
        });
    }

    /** An action on a message that is in the queue and not on its way out, under the message's lock. */
    private Result act(long id, Action action) throws IOException {
        return locked(id, () -> {
            var m = store.load(id);
            if (m == null) {
                return new Result(false, "no message " + id + " in the queue");
            }
            if (scheduler != null && scheduler.isLeaving(id)) {
                return new Result(false, "message " + id + " is done (delivered, or failed and reported) and is "
                        + "leaving the queue");
            }
            return action.on(m);
        });
    }

    private interface Action {
        Result on(QueuedMessage m) throws IOException;
    }

    private Result locked(long id, Scheduler.IoSupplier<Result> action) throws IOException {
        return scheduler == null ? action.get() : scheduler.withLock(id, action);
    }

    private void event(String name, QueuedMessage m, String detail) {
        if (tracking != null) {
            var e = m.envelope();
            tracking.write(new TrackingEvent(clock.instant(), name, m.id(), e.messageId(), e.sender().toString(),
                    m.status().recipients().stream().map(r -> r.address().toString()).toList(), null, null,
                    e.size(), null, detail, null));
        }
    }
}
