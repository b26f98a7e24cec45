package dev.mailflow.server.auth;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks AUTH passwords (RFC 4954 4) away from the sessions' virtual threads, on a small
 * pool of platform threads with a bounded queue.
 *
 * <p>SECURITY: the user name and password come from the client, and two attacks on AUTH are
 * answered here.
 * <ul>
 * <li>Starving the server. A bcrypt check is a quarter of a second of CPU that never blocks,
 *     so on a virtual thread it holds its carrier all along: a few dozen clients sending wrong
 *     passwords held every carrier, and the anonymous port's 220 waited seconds. Here at most
 *     {@code threads} checks run at once ({@code max(1, cores / 2)}: half the cores stay for
 *     the sessions), {@code queue} more may wait, and a check beyond that is refused at once
 *     ({@link Outcome#BUSY}: the session answers 454 4.7.0) instead of waiting in an unbounded
 *     queue. The session's virtual thread waits on the check's future, which unmounts it.</li>
 * <li>Listing accounts by time. Every check costs one hash at the work of the stored hashes:
 *     against the account's hash; or, when the account is unknown, has no password or a
 *     plain-text one, against a dummy hash of the same work ({@link FullCostCheck}), the
 *     plain-text one then compared in constant time. A wrong password takes as long for an
 *     account that does not exist as for one that does.</li>
 * </ul>
 */
public final class PasswordVerifier implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PasswordVerifier.class);

    /** What a check found; BUSY when it could not be run now (pool full or shut down). */
    public enum Outcome { MATCH, MISMATCH, BUSY }

    /** Checks that may wait for a thread, per thread: a few seconds of bcrypt at most. */
    static final int QUEUE_PER_THREAD = 8;

    /** A check that waited this long is given up as BUSY (the queue bounds the wait well below). */
    static final Duration MAX_WAIT = Duration.ofSeconds(30);

    /** How often at most the log says that checks were refused. */
    private static final long BUSY_WARNING_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final ThreadPoolExecutor pool;
    private final BiPredicate<String, String> check;
    private final AtomicLong lastBusyWarning = new AtomicLong(System.nanoTime() - BUSY_WARNING_INTERVAL_NANOS);

    PasswordVerifier(int threads, int queue, BiPredicate<String, String> check) {
        var counter = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(queue), r -> Thread.ofPlatform().daemon()
                        .name("password-check-" + counter.incrementAndGet()).unstarted(r),
                new ThreadPoolExecutor.AbortPolicy());
        this.check = check;
    }

    /** Platform threads for password checks by default: half the cores, at least one. */
    public static int defaultThreads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }

    /**
     * Starts the pool with the default sizes, for a directory whose stored passwords (hashes
     * or plain text) are {@code stored}: the first dummy hash gets their most common work.
     */
    public static PasswordVerifier start(Collection<String> stored) {
        int threads = defaultThreads();
        return start(stored, threads, threads * QUEUE_PER_THREAD);
    }

    static PasswordVerifier start(Collection<String> stored, int threads, int queue) {
        var check = new FullCostCheck(dummyWork(stored));
        var verifier = new PasswordVerifier(threads, queue, check::test);
        // The first dummy hash is made on the pool, ahead of the first check, not while the
        // server starts (a bcrypt or Argon2id hash: up to a second before the ports open).
        verifier.pool.execute(check::prepare);
        return verifier;
    }

    /**
     * The most common work of the configured hashes (the heavier one on a tie); bcrypt at
     * {@link Passwords#COST} when there is none (a directory in a database: its hashes are
     * seen at the first checks).
     */
    static Passwords.Work dummyWork(Collection<String> stored) {
        Map<Passwords.Work, Long> counts = stored.stream().map(Passwords.Work::of).filter(Objects::nonNull)
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        return counts.entrySet().stream()
                .max(Map.Entry.<Passwords.Work, Long>comparingByValue()
                        .thenComparing(e -> e.getKey().weight()))
                .map(Map.Entry::getKey).orElse(Passwords.Work.bcrypt(Passwords.COST));
    }

    /**
     * One hash check whatever is stored: against the account's hash; or, for an unknown
     * account, one without a password or with a plain-text one, against a dummy hash. The
     * dummy asks the work of the last real hash checked, so that a directory in a database
     * whose hashes are SHA-512 crypt or Argon2id rather than bcrypt answers an unknown account
     * as slowly as a known one from its second check on.
     */
    static final class FullCostCheck {

        private volatile Passwords.Work work;

        FullCostCheck(Passwords.Work work) {
            this.work = work;
        }

        /** Makes the dummy hash of the starting work, so that the first unknown account costs one hash, as any other. */
        void prepare() {
            Passwords.dummyHash(work);
        }

        boolean test(String stored, String password) {
            Passwords.Work real = Passwords.Work.of(stored);
            if (real != null) {
                work = real;
                return Passwords.hashMatches(stored, password);
            }
            // Passwords keeps one dummy per work: made once, then looked up.
            Passwords.hashMatches(Passwords.dummyHash(work), password);
            return stored != null && !Passwords.isHash(stored) && Passwords.plainMatches(stored, password);
        }

        Passwords.Work work() {
            return work;
        }
    }

    /**
     * Checks {@code password} against {@code stored} (null: no such account, or none set),
     * waiting for the result; BUSY at once when too many checks wait already.
     */
    public Outcome verify(String stored, String password) {
        Future<Boolean> result;
        try {
            result = pool.submit(() -> check.test(stored, password));
        } catch (RejectedExecutionException e) {
            busy();
            return Outcome.BUSY;
        }
        try {
            return result.get(MAX_WAIT.toMillis(), TimeUnit.MILLISECONDS) ? Outcome.MATCH : Outcome.MISMATCH;
        } catch (InterruptedException e) {
            result.cancel(false);
            Thread.currentThread().interrupt();
            return Outcome.BUSY;
        } catch (TimeoutException | CancellationException e) {
            result.cancel(false);
            busy();
            return Outcome.BUSY;
        } catch (ExecutionException e) {
            LOG.warn("password check failed: {}", String.valueOf(e.getCause()));
            return Outcome.MISMATCH;
        }
    }

    private void busy() {
        long now = System.nanoTime();
        long last = lastBusyWarning.get();
        if (now - last >= BUSY_WARNING_INTERVAL_NANOS && lastBusyWarning.compareAndSet(last, now)) {
            LOG.warn("password checks are busy ({} running, {} waiting): AUTH answered with a temporary failure",
                    pool.getActiveCount(), pool.getQueue().size());
        }
    }

    /** Checks waiting for a thread now. */
    int queued() {
        return pool.getQueue().size();
    }

    /** Stops the threads; checks still waiting end as BUSY. */
    @Override
    public void close() {
        for (Runnable waiting : pool.shutdownNow()) {
            if (waiting instanceof Future<?> f) {
                f.cancel(false);
            }
        }
    }
}
