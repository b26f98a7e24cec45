package dev.mailflow.server.limits;

import java.time.Duration;
import java.time.Instant;

/**
 * Counts events per key over a sliding window. In memory today ({@link SlidingWindowCounters});
 * a cluster shares them through its store instead (issue #14).
 */
public interface RateCounters {

    /**
     * Counts one event for the key if fewer than {@code limit} happened within the window
     * before {@code now}.
     *
     * @return true when the event was counted (under the limit), false when it is over
     */
    boolean tryAcquire(String key, int limit, Duration window, Instant now);
}
