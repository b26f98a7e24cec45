package dev.mailflow.server;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/** Counts open connections, in all and per client address, against a connector's limits. */
final class ConnectionLimiter {

    enum Admission { ADMITTED, TOO_MANY, TOO_MANY_FROM_ADDRESS }

    private int maxTotal;
    private int maxPerAddress;
    private final ConcurrentHashMap<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();
    private int total;

    ConnectionLimiter(int maxTotal, int maxPerAddress) {
        this.maxTotal = maxTotal;
        this.maxPerAddress = maxPerAddress;
    }

    /** New limits for the connections that come next (a reload); open ones stay open. */
    synchronized void limits(int maxTotal, int maxPerAddress) {
        this.maxTotal = maxTotal;
        this.maxPerAddress = maxPerAddress;
    }

    synchronized Admission tryAcquire(InetAddress client) {
        if (total >= maxTotal) {
            return Admission.TOO_MANY;
        }
        int current = perAddress.getOrDefault(client, 0);
        if (current >= maxPerAddress) {
            return Admission.TOO_MANY_FROM_ADDRESS;
        }
        perAddress.put(client, current + 1);
        total++;
        return Admission.ADMITTED;
    }

    synchronized void release(InetAddress client) {
        total--;
        perAddress.computeIfPresent(client, (k, v) -> v <= 1 ? null : v - 1);
    }

    synchronized int open() {
        return total;
    }
}
