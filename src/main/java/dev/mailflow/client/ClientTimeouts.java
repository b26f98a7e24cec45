package dev.mailflow.client;

import java.time.Duration;

/**
 * RFC 5321 4.5.3.2 client timeouts: connect, the greeting (5 min), MAIL (5), RCPT (5),
 * DATA initiation (2), each data block (3), end of data (10). Tests and the tester use
 * shorter ones.
 */
public record ClientTimeouts(Duration connect, Duration greeting, Duration command, Duration dataInit,
                             Duration dataBlock, Duration dataEnd) {

    public static final ClientTimeouts RFC_5321 = new ClientTimeouts(Duration.ofSeconds(30), Duration.ofMinutes(5),
            Duration.ofMinutes(5), Duration.ofMinutes(2), Duration.ofMinutes(3), Duration.ofMinutes(10));

    /** The same timeout everywhere (the tester's --timeout). */
    public static ClientTimeouts uniform(Duration d) {
        return new ClientTimeouts(d, d, d, d, d, d);
    }
}
