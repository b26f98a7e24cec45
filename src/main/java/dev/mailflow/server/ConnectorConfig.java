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
 * @param remoteRanges          client ranges this connector answers; empty for everyone
 * @param tls                   STARTTLS offered, implicit TLS (RFC 8314), or no TLS
 * @param requireTls            MAIL before STARTTLS gets 530 5.7.0
 * @param auth                  AUTH offered (after TLS unless allowInsecureAuth)
 * @param maxAuthFailures       failed AUTH on one connection before 421 and close
 */
public record ConnectorConfig(String name, InetSocketAddress bind, boolean anonymous, long maxMessageSize,
                              int maxRecipients, int maxConnections, int maxConnectionsPerIp, int maxErrors,
                              Duration commandTimeout, Duration dataTimeout, boolean protocolLog, String banner,
                              java.util.List<Cidr> relayFrom, java.util.List<Cidr> remoteRanges, Tls tls,
                              boolean requireTls, boolean auth, boolean allowInsecureAuth, int maxAuthFailures) {

    /** How a connector does TLS. */
    public enum Tls { STARTTLS, IMPLICIT, OFF }

    public ConnectorConfig {
        relayFrom = java.util.List.copyOf(relayFrom);
        remoteRanges = java.util.List.copyOf(remoteRanges);
    }

    /** Whether this connector answers a client at all. */
    public boolean admits(java.net.InetAddress client) {
        if (remoteRanges.isEmpty()) {
            return true;
        }
        for (var c : remoteRanges) {
            if (c.contains(client)) {
                return true;
            }
        }
        return false;
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
