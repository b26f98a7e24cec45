package dev.mailflow.server;

import java.time.Duration;

/**
 * How long a client may take, as deadlines rather than per-read timeouts (RFC 5321 4.5.3.2:
 * the timeouts are per command and per data block, not per octet). SECURITY: a client that
 * drips one octet every few seconds would otherwise hold its connection for ever, and a
 * thousand such clients every connection the server has.
 *
 * <ul>
 *   <li>A command line must arrive whole within the command timeout (and an AUTH response).
 *   <li>DATA, and each BDAT chunk, must arrive within the data timeout, extended by the time the
 *       octets received would take at the connector's {@code min_data_rate} (Postfix's
 *       smtpd_min_data_rate with smtpd_per_request_deadline): a client faster than that never
 *       times out, however large the message; a slower one does.
 *   <li>The TLS handshake must end within {@code tls_handshake_timeout}: a half ClientHello no
 *       longer holds a connection for the whole command timeout.
 *   <li>When a connector is busy (at least {@link #BUSY_FRACTION} of its connections in use)
 *       the deadlines shrink to {@link #BUSY_COMMAND}, {@link #BUSY_DATA} and
 *       {@link #BUSY_TLS_HANDSHAKE}, as Postfix's stress-dependent smtpd_timeout does; and when
 *       it is full, the connection that has waited longest for a command (at least
 *       {@link #EVICT_IDLE_AFTER}), or else the oldest message transfer slower than
 *       {@link #BUSY_MIN_DATA_RATE}, is closed with a 421 so that the new client is served.
 * </ul>
 */
final class Deadlines {

    static final double BUSY_FRACTION = 0.8;
    static final Duration BUSY_COMMAND = Duration.ofSeconds(10);
    static final Duration BUSY_DATA = Duration.ofSeconds(30);
    static final Duration BUSY_TLS_HANDSHAKE = Duration.ofSeconds(5);
    /** A connection waiting for a command at least this long may be closed for a new client. */
    static final Duration EVICT_IDLE_AFTER = Duration.ofSeconds(1);
    /**
     * A session in DATA or BDAT for over {@link #EVICT_IDLE_AFTER} slower than this on average
     * may be closed for a new client when the connector is full: under a flood of slow senders
     * the message is not lost (no 250 was given), the client retries later.
     */
    static final long BUSY_MIN_DATA_RATE = 4096;
    /** How long a new client waits for the slot of a connection closed for it. */
    static final Duration EVICTION_WAIT = Duration.ofSeconds(2);

    private Deadlines() {
    }

    static Duration command(ConnectorConfig c, boolean busy) {
        return busy ? min(c.commandTimeout(), BUSY_COMMAND) : c.commandTimeout();
    }

    static Duration data(ConnectorConfig c, boolean busy) {
        return busy ? min(c.dataTimeout(), BUSY_DATA) : c.dataTimeout();
    }

    static Duration tlsHandshake(ConnectorConfig c, boolean busy) {
        return busy ? min(c.tlsHandshakeTimeout(), BUSY_TLS_HANDSHAKE) : c.tlsHandshakeTimeout();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
