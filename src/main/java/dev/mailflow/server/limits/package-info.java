/**
 * Rate limits and greylisting of a receive connector (issue #12 of the series): counters per
 * client address and per authenticated user over sliding windows ({@link RateCounters}, in
 * memory, behind an interface so that a cluster's store can take their place), and the
 * greylist of (client network, sender, recipient) triplets with its journal on disk
 * ({@link Greylist}). Both are owned by the server and outlive configuration reloads; the
 * hooks that apply them ({@link RateLimitHook}, {@link GreylistHook}) are rebuilt with each.
 */
package dev.mailflow.server.limits;
