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
 * @param sendConnectors        smart hosts for some or all domains, first match wins
 */
public record RemoteConfig(String hostname, int port, ClientTimeouts timeouts, boolean startTls, int maxConnections,
                           int maxConnectionsPerHost, java.util.List<SendConnector> sendConnectors) {

    public RemoteConfig {
        sendConnectors = java.util.List.copyOf(sendConnectors);
    }
}
