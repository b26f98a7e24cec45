package dev.mailflow.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/**
 * Waiting on a condition, never on luck: what happens on another thread or in another
 * process (a tracking event, a log line, a delivery) is polled until it holds or a generous
 * deadline passes, so that a slow or loaded machine makes a test slower, not red.
 */
public final class Await {

    /** Long enough for a loaded 2-CPU CI machine; a passing test returns as soon as it holds. */
    public static final Duration DEFAULT = Duration.ofSeconds(20);

    private Await() {
    }

    /** Polls {@code value} until {@code done} holds of it; fails naming {@code what} with the last value. */
    public static <T> T until(String what, Callable<T> value, Predicate<T> done) throws Exception {
        return until(what, DEFAULT, value, done);
    }

    public static <T> T until(String what, Duration timeout, Callable<T> value, Predicate<T> done) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        T v = value.call();
        while (!done.test(v) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            v = value.call();
        }
        assertThat(done.test(v)).as("%s (within %s; last seen: %s)", what, timeout, v).isTrue();
        return v;
    }

    /** Polls {@code condition} until it is true. */
    public static void until(String what, Callable<Boolean> condition) throws Exception {
        until(what, DEFAULT, condition, Boolean::booleanValue);
    }
}
