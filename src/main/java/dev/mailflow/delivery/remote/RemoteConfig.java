package dev.mailflow.delivery.remote;

import dev.mailflow.client.ClientTimeouts;

/**
 * How remote delivery behaves (the {@code [delivery]} table).
 *
 * @param hostname              our name: EHLO, Received, loop detection
 * @param port                  the SMTP port of next hops (25; tests use loopback MTAs)
 * @param startTls              use STARTTLS when the next hop offers it (certificates not verified)
 * @param maxConnections        outbound connections at once, in all
 * @param maxConnectionsPerHost outbound connections at once to one next-hop address
 */
public record RemoteConfig(String hostname, int port, ClientTimeouts timeouts, boolean startTls, int maxConnections,
                           int maxConnectionsPerHost) {
}
