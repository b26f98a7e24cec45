package dev.mailflow.app;

import dev.mailflow.queue.RetryPolicy;

/**
 * The {@code [queue]} table.
 *
 * @param retry               retry intervals, queue lifetime and delay warning
 * @param minFreeSpace        below this many free octets, MAIL gets 452 4.3.1
 * @param deliveryConcurrency delivery attempts running at once
 */
public record QueueConfig(RetryPolicy retry, long minFreeSpace, int deliveryConcurrency) {
}
