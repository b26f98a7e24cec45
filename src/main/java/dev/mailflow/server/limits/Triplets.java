package dev.mailflow.server.limits;

import java.time.Duration;
import java.time.Instant;

/**
 * Where greylisting keeps its triplets: this node's journal ({@link Greylist}), or the
 * database a cluster shares ({@link SqlGreylist}), so that a client that retries on another
 * node is not greylisted again.
 */
public interface Triplets {

    /**
     * Decides one attempt of a triplet and remembers it.
     *
     * @param delay       how long a new triplet waits
     * @param retryWindow how long after the delay a retry still passes; later, it starts over
     * @param expiry      how long a passed triplet is remembered after it was last seen
     */
    Greylist.Decision check(String triplet, Instant now, Duration delay, Duration retryWindow, Duration expiry);
}
