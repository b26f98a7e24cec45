package dev.mailflow.queue;

import dev.mailflow.smtp.EnhancedStatus;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides when each queued message is attempted, runs the attempts on virtual threads (at
 * most {@code concurrency} at once), applies the outcomes to the status and the tracking log,
 * and defers, finishes or expires messages by the {@link RetryPolicy}.
 *
 * <p>It knows the queue only through {@link QueueStore} and delivery only through
 * {@link DeliveryAgent} (style.md, principle 7).
 */
public final class Scheduler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
    /** Alias expansion deeper than this is a loop (RFC 5321 6.3 "loop detection"). */
    static final int MAX_EXPANSION_DEPTH = 8;

    private final QueueStore store;
    /** The leases of a shared queue, or null when this node owns the queue alone. */
    private final SharedWork shared;
    private final DeliveryAgent agent;
    private volatile RetryPolicy policy;
    private final TrackingLog tracking;
    private final Clock clock;
    private final Semaphore slots;
    private final DelayQueue<Due> due = new DelayQueue<>();
    private final Map<Long, Due> scheduled = new ConcurrentHashMap<>();
    private final ReentrantLock[] locks = new ReentrantLock[64];
    /** Messages that may have been delivered in part before a crash. */
    private final java.util.Set<Long> recovered = ConcurrentHashMap.newKeySet();
    private final java.util.Set<Thread> workers = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;
    private Thread dispatcher;
    private final int concurrency;
    private Thread claimer;
    private Thread renewer;
    private final Semaphore wakeClaimer = new Semaphore(0);
    /** How often a node of a cluster looks for due work in the shared queue when it has nothing to do. */
    static final Duration CLAIM_INTERVAL = Duration.ofSeconds(1);

    public Scheduler(QueueStore store, DeliveryAgent agent, RetryPolicy policy, TrackingLog tracking, Clock clock,
                     int concurrency) {
        this.store = store;
        this.shared = store.shared();
        this.agent = agent;
        this.policy = policy;
        this.tracking = tracking;
        this.clock = clock;
        this.slots = new Semaphore(concurrency);
        this.concurrency = concurrency;
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    /** Retry intervals, lifetime and delay warning from now on (a reload); waits already set stay. */
    public void retryPolicy(RetryPolicy next) {
        this.policy = next;
    }

    private record Due(long id, long atNanos) implements Delayed {
        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(atNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(atNanos, ((Due) o).atNanos);
        }
    }

    /** Starts dispatching; the messages the recovery finds come by {@link #recovered}, while it runs. */
    public void start() {
        dispatcher = Thread.ofVirtual().name("queue-dispatcher").start(this::dispatch);
        finisher = Thread.ofVirtual().name("queue-finisher").start(this::finishLoop);
        if (shared != null) {
            claimer = Thread.ofVirtual().name("queue-claimer").start(this::claimLoop);
            renewer = Thread.ofVirtual().name("queue-lease-renewer").start(this::renewLoop);
        }
    }

    /**
     * A message found by the recovery at start: attempted now when it was active, at its next
     * attempt when deferred; a held one waits for the operator. It may have been delivered in
     * part before a crash.
     */
    public void recovered(RecoveredMessage m) {
        recovered.add(m.id());
        if (scheduled.containsKey(m.id())) {
            return; // the operator asked for it while the queue was being read
        }
        switch (m.state()) {
            case ACTIVE -> schedule(m.id(), null);
            case DEFERRED -> schedule(m.id(), m.nextAttempt());
            default -> {
            }
        }
    }

    /**
     * A node of a cluster: claims the shared queue's due messages, as many as it has free
     * delivery slots for, every {@link #CLAIM_INTERVAL} (at once again when it got a full
     * batch, or when the operator asked for a retry).
     */
    private void claimLoop() {
        boolean down = false;
        while (!stopping) {
            int free = concurrency - workers.size() - scheduled.size();
            int got = 0;
            try {
                for (var claim : shared.claimDue(free)) {
                    var m = claim.message();
                    if (claim.mayBeDelivered()) {
                        recovered.add(m.id());
                    }
                    if (m.state() == QueueState.HOLD || m.state() == QueueState.CORRUPT) {
                        shared.release(m.id());
                        continue;
                    }
                    fresh.put(m.id(), m);
                    schedule(m.id(), null);
                    got++;
                }
                if (down) {
                    LOG.info("queue: the shared queue answers again");
                    down = false;
                }
            } catch (IOException | RuntimeException e) {
                if (!down) {
                    LOG.warn("queue: {}; deliveries wait until it answers", e.getMessage());
                    down = true;
                }
            }
            if (got > 0 && got == free) {
                continue;
            }
            try {
                wakeClaimer.tryAcquire(CLAIM_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
                wakeClaimer.drainPermits();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** A node of a cluster: renews its leases and heartbeat; drops the messages whose lease it lost. */
    private void renewLoop() {
        boolean down = false;
        while (!stopping) {
            try {
                Thread.sleep(shared.lease().dividedBy(3).toMillis());
            } catch (InterruptedException e) {
                return;
            }
            try {
                for (long id : shared.renew()) {
                    LOG.warn("queue: message {}: lease lost to another node; this node leaves it", id);
                    fresh.remove(id);
                    var old = scheduled.remove(id);
                    if (old != null) {
                        due.remove(old);
                    }
                }
                if (down) {
                    LOG.info("queue: leases renewed again");
                    down = false;
                }
            } catch (IOException | RuntimeException e) {
                if (!down) {
                    LOG.warn("queue: leases not renewed: {}", e.getMessage());
                    down = true;
                }
            }
        }
    }

    /** Messages just committed, handed over in memory so the first attempt need not read them back. */
    private final Map<Long, QueuedMessage> fresh = new ConcurrentHashMap<>();

    /** A message was just committed: attempt it now. */
    public void submit(QueuedMessage message) {
        fresh.put(message.id(), message);
        schedule(message.id(), null);
    }

    /**
     * Schedules (or moves) a message's next attempt; null means now. In a cluster a message
     * waits in the shared queue, not here: a later attempt gives its lease up (any node that is
     * free when it is due claims it), and one this node does not hold is claimed when due.
     */
    public void schedule(long id, Instant at) {
        if (shared != null && (at != null || !shared.holds(id))) {
            unschedule(id);
            if (at != null) {
                shared.release(id);
            } else {
                wakeClaimer.release();
            }
            return;
        }
        long delayNanos = at == null ? 0 : Math.max(0, Duration.between(clock.instant(), at).toNanos());
        var d = new Due(id, System.nanoTime() + delayNanos);
        var old = scheduled.put(id, d);
        if (old != null) {
            due.remove(old);
        }
        due.add(d);
    }

    void unschedule(long id) {
        fresh.remove(id);
        var old = scheduled.remove(id);
        if (old != null) {
            due.remove(old);
        }
    }

    /** The next attempt planned for a message, if any (for the queue listing). */
    public boolean isScheduled(long id) {
        return scheduled.containsKey(id);
    }

    private void dispatch() {
        while (!stopping) {
            Due d;
            try {
                d = due.take();
                slots.acquire();
            } catch (InterruptedException e) {
                return;
            }
            if (scheduled.get(d.id()) != d || stopping) {
                slots.release();
                continue;
            }
            scheduled.remove(d.id(), d);
            var worker = Thread.ofVirtual().name("delivery-" + d.id()).unstarted(() -> {
                try {
                    attempt(d.id());
                } finally {
                    slots.release();
                    workers.remove(Thread.currentThread());
                }
            });
            workers.add(worker);
            worker.start();
        }
    }

    /** Runs the per-message lock around an action (admin operations and attempts). */
    <T> T withLock(long id, IoSupplier<T> action) throws IOException {
        // Queue ids are microseconds of a millisecond clock (multiples of 1,000): mixed, so that
        // every lock is used and one slow attempt holds up as few other messages as can be.
        var lock = locks[(int) ((id * 0x9E3779B97F4A7C15L) >>> 32) & (locks.length - 1)];
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    interface IoSupplier<T> {
        T get() throws IOException;
    }

    /** One delivery attempt of one message. Never throws. */
    void attempt(long id) {
        try {
            withLock(id, () -> {
                attemptLocked(id);
                return null;
            });
        } catch (LeaseLostException e) {
            // Another node has it now: its result stands, not whatever this attempt found.
            LOG.warn("queue: {}; this node's attempt is dropped", e.getMessage());
            unschedule(id);
        } catch (IOException e) {
            LOG.error("queue: message {}: {}; will retry", id, e.getMessage() == null ? e.toString() : e.getMessage());
            if (shared != null) {
                // The shared queue cannot be written: the lease lapses and a node tries again.
                unschedule(id);
                shared.forget(id);
                return;
            }
            schedule(id, clock.instant().plus(policy.delayAfter(1)));
        } catch (RuntimeException e) {
            LOG.error("queue: message {}: unexpected error; will retry", id, e);
            schedule(id, clock.instant().plus(policy.delayAfter(1)));
        }
    }

    private void attemptLocked(long id) throws IOException {
        QueuedMessage m = fresh.remove(id);
        if (shared != null && !shared.holds(id)) {
            return; // its lease went to another node while it waited here
        }
        try {
            if (m == null) {
                m = store.load(id);
            }
        } catch (FileQueueStore.CorruptMessageException e) {
            LOG.error("queue: message {} is corrupt, moved aside: {}", id, e.getMessage());
            if (store instanceof FileQueueStore fs) {
                fs.quarantine(id, e.reason());
            }
            return;
        }
        if (m == null || m.state() == QueueState.HOLD || m.state() == QueueState.CORRUPT) {
            return;
        }
        boolean mayBeDelivered = recovered.contains(id) || m.status().attempts() > 0;
        Instant now = clock.instant();
        var recipients = new ArrayList<>(m.status().recipients());
        String lastError = null;
        for (int depth = 0; depth <= MAX_EXPANSION_DEPTH; depth++) {
            var pending = new ArrayList<Integer>();
            for (int i = 0; i < recipients.size(); i++) {
                if (!recipients.get(i).isFinal()) {
                    pending.add(i);
                }
            }
            if (pending.isEmpty()) {
                break;
            }
            var current = m.withStatus(m.state(), m.status().withRecipients(recipients));
            Map<Integer, DeliveryOutcome> outcomes;
            try {
                var loaded = m;
                outcomes = agent.deliver(current, pending, () -> store.openContent(loaded), mayBeDelivered);
            } catch (RuntimeException e) {
                LOG.error("queue: message {}: delivery agent failed", id, e);
                outcomes = new HashMap<>();
                for (int i : pending) {
                    outcomes.put(i, new DeliveryOutcome.Deferred(DeliveryCodes.LOCAL_ERROR,
                            "internal error in the delivery agent (see the server log)"));
                }
            }
            boolean expanded = false;
            for (int i : pending) {
                var outcome = outcomes.getOrDefault(i,
                        new DeliveryOutcome.Deferred(DeliveryCodes.LOCAL_ERROR, "no outcome from the delivery agent"));
                var r = recipients.get(i);
                recipients.set(i, r.after(outcome, now));
                switch (outcome) {
                    // Exchange's words: DELIVER into a mailbox here, SEND to another server.
                    case DeliveryOutcome.Delivered d -> track(d.remoteReply() == null ? "DELIVER" : "SEND", m, r, d);
                    case DeliveryOutcome.Failed f -> track("FAIL", m, r, f);
                    case DeliveryOutcome.Deferred d -> {
                        lastError = d.describe();
                        track("DEFER", m, r, d);
                    }
                    case DeliveryOutcome.Expanded x -> {
                        track("EXPAND", m, r, x);
                        var present = new HashSet<String>();
                        for (var existing : recipients) {
                            if (existing.original().equals(r.original())) {
                                present.add(existing.address().key());
                            }
                        }
                        // RFC 3461 5.2.7.2: a single-recipient alias passes the DSN request on
                        // unchanged; 5.2.7.3: after a multiple-recipient one the "expanded" DSN
                        // is the success notice, and the new recipients no longer ask for one.
                        boolean several = x.targets().size() > 1;
                        for (var t : x.targets()) {
                            if (present.add(t.key())) {
                                recipients.add(several ? r.retargetWithoutSuccessNotice(t) : r.retarget(t));
                                expanded = true;
                            }
                        }
                    }
                }
            }
            if (!expanded) {
                break;
            }
            if (depth == MAX_EXPANSION_DEPTH) {
                var loop = new DeliveryOutcome.Failed(DeliveryCodes.LOOP, "alias expansion loop (more than "
                        + MAX_EXPANSION_DEPTH + " levels)");
                for (int i = 0; i < recipients.size(); i++) {
                    if (!recipients.get(i).isFinal()) {
                        track("FAIL", m, recipients.get(i), loop);
                        recipients.set(i, recipients.get(i).after(loop, now));
                    }
                }
            }
        }
        int attempts = m.status().attempts() + 1;
        var status = m.status().withRecipients(recipients).scheduled(attempts, now, null, lastError);
        if (status.allFinal()) {
            finish(m.withStatus(m.state(), status));
            return;
        }
        if (policy.expired(m.envelope().receivedAt(), now)) {
            for (int i = 0; i < recipients.size(); i++) {
                var r = recipients.get(i);
                if (!r.isFinal()) {
                    var expired = expiredOutcome(r);
                    track("FAIL", m, r, expired);
                    recipients.set(i, r.after(expired, now));
                }
            }
            finish(m.withStatus(m.state(), status.withRecipients(recipients)));
            return;
        }
        Instant next = now.plus(policy.delayAfter(attempts));
        agent.sync(); // recipients recorded as delivered must be durably delivered first
        var deferred = store.update(m, QueueState.DEFERRED, status.scheduled(attempts, now, next, lastError));
        if (!deferred.status().delayWarned()
                && !now.isBefore(m.envelope().receivedAt().plus(policy.delayWarning()))) {
            var warned = deferred;
            deferred = agent.delayed(warned, () -> store.openContent(warned));
        }
        recovered.remove(id);
        schedule(id, next);
    }

    /**
     * A recipient still pending when the queue lifetime ends fails with the permanent form of
     * its last temporary status (4.2.2 mailbox full becomes 5.2.2), or 5.4.7 (delivery time
     * expired, RFC 3463) when there was none. The last remote reply, if any, stays with it for
     * the DSN's Diagnostic-Code.
     */
    private DeliveryOutcome expiredOutcome(RecipientState r) {
        var last = r.enhancedStatus();
        var code = last != null && last.isTransient() ? last.withClass(EnhancedStatus.PERMANENT)
                : DeliveryCodes.EXPIRED;
        return new DeliveryOutcome.Failed(code, "delivery time expired after " + Durations.words(policy.lifetime())
                + (r.reason() == null ? "" : "; last error: " + r.reason()), r.remoteReply());
    }

    private void finish(QueuedMessage m) throws IOException {
        if (agent.finished(m, () -> store.openContent(m))) {
            leaving.add(m.id());
            finishing.add(m.id());
        } else {
            agent.sync();
            String reason = holdReason(m);
            store.update(m, QueueState.HOLD, m.status().held(reason));
            LOG.warn("queue: message {} on hold: {}", m.id(), reason);
            if (tracking != null) {
                var e = m.envelope();
                tracking.write(new TrackingEvent(clock.instant(), "HOLD", m.id(), e.messageId(), e.sender().toString(),
                        m.status().recipients().stream().filter(r -> r.status() == RecipientState.Status.FAILED)
                                .map(r -> r.address().toString()).toList(), null, null, e.size(), null, reason, null));
            }
        }
    }

    /** Why a finished message that the agent would not let go stays on hold: its failures, in words. */
    static String holdReason(QueuedMessage m) {
        var failures = new ArrayList<String>();
        for (var r : m.status().recipients()) {
            if (r.status() == RecipientState.Status.FAILED) {
                failures.add(r.address() + ": " + (r.enhancedStatus() == null ? "" : r.enhancedStatus() + " ")
                        + (r.describe() == null ? "failed" : r.describe()));
            }
        }
        String what = m.envelope().sender().isNullSender() ? "a bounce that could not be delivered is kept on hold"
                : "it could not be delivered and no notice could be sent for it";
        return what + (failures.isEmpty() ? "" : ": " + String.join("; ", failures));
    }

    /** Messages done with and about to leave the queue: no admin action applies to them any more. */
    private final java.util.Set<Long> leaving = ConcurrentHashMap.newKeySet();

    /** Whether a message is done (delivered, or failed and reported) and leaving the queue. */
    public boolean isLeaving(long id) {
        return leaving.contains(id);
    }

    /** Messages done with, waiting for the sync that lets them leave the queue. */
    private final java.util.concurrent.LinkedBlockingQueue<Long> finishing =
            new java.util.concurrent.LinkedBlockingQueue<>();
    private Thread finisher;

    /**
     * Removes finished messages from the queue in batches, each after one {@link
     * DeliveryAgent#sync} that makes all their deliveries durable: the delivery side's
     * directory fsyncs are shared by every message of the batch (group commit).
     */
    private void finishLoop() {
        var batch = new java.util.ArrayList<Long>();
        while (true) {
            try {
                Long first = finishing.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (stopping && workers.isEmpty()) {
                        return;
                    }
                    continue;
                }
                batch.add(first);
                finishing.drainTo(batch);
                agent.sync();
                for (long id : batch) {
                    try {
                        store.remove(id);
                    } catch (LeaseLostException e) {
                        // Delivered here, and claimed meanwhile by another node, which may deliver
                        // it again: the one duplicate the lease allows.
                        LOG.warn("queue: {}; delivered here, it may be delivered twice", e.getMessage());
                        leaseLostAfterDelivery.incrementAndGet();
                    }
                    recovered.remove(id);
                    leaving.remove(id);
                }
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                // Not removed yet: tried again in a second (and found delivered at the next start
                // if the server stops first). Delivered already, they are never attempted again.
                LOG.error("queue: could not make deliveries durable or remove them, {} message(s) stay queued"
                        + " and are tried again: {}", batch.size(), e.getMessage() == null ? e.toString() : e.getMessage());
                finishing.addAll(batch);
                batch.clear();
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException again) {
                    return;
                }
                continue;
            }
            batch.clear();
        }
    }

    private void track(String event, QueuedMessage m, RecipientState r, DeliveryOutcome o) {
        if (tracking == null) {
            return;
        }
        var e = m.envelope();
        tracking.write(new TrackingEvent(clock.instant(), event, m.id(), e.messageId(), e.sender().toString(),
                List.of(r.address().toString()), null, null, e.size(), o.status().toString(), o.describe(),
                o.remoteReply() == null ? null : o.remoteReply().host(), null,
                o instanceof DeliveryOutcome.Delivered d ? d.tls() : null));
    }

    private final java.util.concurrent.atomic.AtomicLong leaseLostAfterDelivery =
            new java.util.concurrent.atomic.AtomicLong();

    /** Messages this node delivered and then found claimed by another node (possible duplicates). */
    public long leaseLostAfterDelivery() {
        return leaseLostAfterDelivery.get();
    }

    /** Stops dispatching; attempts in progress get until the deadline to finish. */
    public void shutdown(Duration grace) {
        stopping = true;
        if (dispatcher != null) {
            dispatcher.interrupt();
        }
        if (claimer != null) {
            claimer.interrupt();
        }
        long deadline = System.nanoTime() + grace.toNanos();
        for (var w : workers) {
            long left = deadline - System.nanoTime();
            try {
                if (left <= 0 || !w.join(Duration.ofNanos(left))) {
                    break;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (finisher != null) {
            try {
                // The finisher drains what is left, then ends (it checks stopping when idle).
                finisher.join(Duration.ofMillis(Math.max(200, (deadline - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (renewer != null) {
            renewer.interrupt();
        }
    }

    @Override
    public void close() {
        shutdown(Duration.ZERO);
    }

    /** Counts used by the queue listing: how many attempts are running. */
    public int running() {
        return workers.size();
    }
}
