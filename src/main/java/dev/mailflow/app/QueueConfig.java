package dev.mailflow.app;

import dev.mailflow.queue.RetryPolicy;
import java.time.Duration;

/**
 * The {@code [queue]} table.
 *
 * @param retry               retry intervals, queue lifetime and delay warning
 * @param minFreeSpace        below this many free octets, MAIL gets 452 4.3.1
 * @param deliveryConcurrency delivery attempts running at once
 * @param shared              the shared queue in PostgreSQL ({@code store = "postgresql"}), or null
 *                            for the file queue in the data directory
 */
public record QueueConfig(RetryPolicy retry, long minFreeSpace, int deliveryConcurrency, Shared shared) {

    public QueueConfig(RetryPolicy retry, long minFreeSpace, int deliveryConcurrency) {
        this(retry, minFreeSpace, deliveryConcurrency, null);
    }

    /**
     * A queue several nodes share.
     *
     * @param nodeId this node's name, unique in the cluster
     * @param lease  how long a node's claim on a message lasts without renewal
     */
    public record Shared(String url, String user, String password, String nodeId, Duration lease) {
        @Override
        public String toString() {
            return "Shared[url=" + url + ", user=" + user + ", nodeId=" + nodeId + ", lease=" + lease + "]";
        }
    }
}
