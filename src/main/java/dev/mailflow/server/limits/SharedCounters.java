package dev.mailflow.server.limits;

/**
 * The counters of a cluster, shared by its nodes through their database: rate limits and the
 * greylist. A single server keeps its own ({@link SlidingWindowCounters}, {@link Greylist}).
 */
public record SharedCounters(RateCounters rates, Triplets greylist) {
}
