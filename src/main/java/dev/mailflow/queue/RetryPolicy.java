package dev.mailflow.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * When to try a deferred message again, and when to give up (RFC 5321 4.5.4.1: retry
 * intervals of at least 30 minutes are typical, give-up time of 4-5 days; our defaults are
 * shorter at first, like Postfix's, and tests set them in seconds).
 *
 * @param intervals    the wait after the 1st, 2nd, ... failed attempt; the last repeats
 * @param lifetime     how long a message may stay in the queue before it fails (Postfix's
 *                     maximal_queue_lifetime, Exchange's message expiration)
 * @param delayWarning after how long a delay DSN is sent, when the sender asked for one
 */
public record RetryPolicy(List<Duration> intervals, Duration lifetime, Duration delayWarning) {

    public static final RetryPolicy DEFAULT = new RetryPolicy(
            List.of(Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofMinutes(30),
                    Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(4)),
            Duration.ofDays(2), Duration.ofHours(4));

    public RetryPolicy {
        if (intervals.isEmpty()) {
            throw new IllegalArgumentException("at least one retry interval");
        }
        intervals = List.copyOf(intervals);
    }

    /** The wait after {@code attempts} failed attempts (1 for the first). */
    public Duration delayAfter(int attempts) {
        return intervals.get(Math.max(0, Math.min(attempts, intervals.size()) - 1));
    }

    public boolean expired(Instant received, Instant now) {
        return !now.isBefore(received.plus(lifetime));
    }
}
