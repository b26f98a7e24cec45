package dev.mailflow.app;

import java.time.Duration;

/**
 * The {@code [delivery]} table: how remote delivery finds and reaches other servers.
 *
 * @param dnsServer             host:port of the DNS server to ask, or null for the system resolver
 * @param remotePort            the SMTP port of remote servers (25; tests point it at loopback MTAs)
 * @param startTls              use STARTTLS when offered (opportunistic; certificates not verified)
 * @param connectTimeout        how long to wait for a TCP connection
 * @param commandTimeout        one timeout for every reply, or null for RFC 5321 4.5.3.2's
 * @param maxConnections        outbound connections at once
 * @param maxConnectionsPerHost outbound connections at once to one address
 * @param sendConnectors        smart hosts ({@code [[send_connector]]}), first match wins
 */
public record DeliveryConfig(String dnsServer, int remotePort, boolean startTls, Duration connectTimeout,
                             Duration commandTimeout, int maxConnections, int maxConnectionsPerHost,
                             java.util.List<dev.mailflow.delivery.remote.SendConnector> sendConnectors) {
}
