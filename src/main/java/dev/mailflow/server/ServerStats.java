package dev.mailflow.server;

import java.util.concurrent.atomic.AtomicLong;

/** Counters of the receiving side, read by the metrics endpoint. */
public final class ServerStats {

    final AtomicLong tlsHandshakes = new AtomicLong();
    final AtomicLong authFailures = new AtomicLong();

    public long tlsHandshakes() {
        return tlsHandshakes.get();
    }

    public long authFailures() {
        return authFailures.get();
    }
}
