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
 */
public record ConnectorConfig(String name, InetSocketAddress bind, boolean anonymous, long maxMessageSize,
                              int maxRecipients, int maxConnections, int maxConnectionsPerIp, int maxErrors,
                              Duration commandTimeout, Duration dataTimeout, boolean protocolLog, String banner) {
}
