package dev.mailflow.server;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * One receive connector (Exchange's word): a named listener and the rules for the clients
 * that use it. The defaults and the TOML keys are documented in docs/configuration.md.
 *
 * @param banner                text of the 220 greeting after the host name
 * @param maxConnections        connections open at once on this connector (421 4.3.2 beyond)
 * @param maxConnectionsPerIp   connections open at once from one client address (421 4.7.0)
 * @param maxErrors             5xx replies on one connection before 421 and close
 * @param commandTimeout        RFC 5321 4.5.3.2.7 server timeout, waiting for a command
 * @param dataTimeout           RFC 5321 4.5.3.2.5/6 waiting for the next block of message data
 * @param protocolLog           whether the whole SMTP conversation is logged (content excluded)
 * @param relayFrom             client ranges that may send to any domain (Exchange's anonymous relay connector)
 */
public record ConnectorConfig(String name, InetSocketAddress bind, boolean anonymous, long maxMessageSize,
                              int maxRecipients, int maxConnections, int maxConnectionsPerIp, int maxErrors,
                              Duration commandTimeout, Duration dataTimeout, boolean protocolLog, String banner,
                              java.util.List<Cidr> relayFrom) {

    public ConnectorConfig {
        relayFrom = java.util.List.copyOf(relayFrom);
    }

    /** Whether a client may relay through this connector without authenticating. */
    public boolean mayRelay(java.net.InetAddress client) {
        for (var c : relayFrom) {
            if (c.contains(client)) {
                return true;
            }
        }
        return false;
    }
}
