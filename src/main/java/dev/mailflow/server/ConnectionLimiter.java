package dev.mailflow.server;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Counts open connections, in all, per client host and per client network, against a
 * connector's limits ({@link ClientNetworks} says what a host and a network are).
 */
final class ConnectionLimiter {

    enum Admission { ADMITTED, TOO_MANY, TOO_MANY_FROM_ADDRESS, TOO_MANY_FROM_NETWORK }

    private int maxTotal;
    private int maxPerAddress;
    private int maxPerNetwork;
    private final Map<dev.mailflow.server.auth.ClientNetwork, Integer> perAddress = new HashMap<>();
    private final Map<InetAddress, Integer> perNetwork = new HashMap<>();
    private int total;

    ConnectionLimiter(int maxTotal, int maxPerAddress, int maxPerNetwork) {
        this.maxTotal = maxTotal;
        this.maxPerAddress = maxPerAddress;
        this.maxPerNetwork = maxPerNetwork;
    }

    /** New limits for the connections that come next (a reload); open ones stay open. */
    synchronized void limits(int maxTotal, int maxPerAddress, int maxPerNetwork) {
        this.maxTotal = maxTotal;
        this.maxPerAddress = maxPerAddress;
        this.maxPerNetwork = maxPerNetwork;
    }

    synchronized Admission tryAcquire(InetAddress client) {
        var host = ClientNetworks.host(client);
        var network = ClientNetworks.network(client);
        if (perAddress.getOrDefault(host, 0) >= maxPerAddress) {
            return Admission.TOO_MANY_FROM_ADDRESS;
        }
        if (perNetwork.getOrDefault(network, 0) >= maxPerNetwork) {
            return Admission.TOO_MANY_FROM_NETWORK;
        }
        if (total >= maxTotal) {
            return Admission.TOO_MANY;
        }
        perAddress.merge(host, 1, Integer::sum);
        perNetwork.merge(network, 1, Integer::sum);
        total++;
        return Admission.ADMITTED;
    }

    /**
     * Like {@link #tryAcquire}, waiting up to {@code millis} for a connection to end when the
     * connector is full (after one was closed to make room). Polls outside the lock, so that a
     * waiting virtual thread never holds a carrier.
     */
    Admission acquireWithin(InetAddress client, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (true) {
            var admission = tryAcquire(client);
            if (admission != Admission.TOO_MANY || System.nanoTime() >= deadline) {
                return admission;
            }
            Thread.sleep(5);
        }
    }

    synchronized void release(InetAddress client) {
        total--;
        perAddress.computeIfPresent(ClientNetworks.host(client), (k, v) -> v <= 1 ? null : v - 1);
        perNetwork.computeIfPresent(ClientNetworks.network(client), (k, v) -> v <= 1 ? null : v - 1);
    }

    synchronized int open() {
        return total;
    }

    /** Whether the deadlines should shrink: most connections are in use. */
    synchronized boolean busy() {
        return total >= Math.max(1, (int) (maxTotal * Deadlines.BUSY_FRACTION));
    }
}
