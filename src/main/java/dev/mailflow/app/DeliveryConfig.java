package dev.mailflow.app;

/**
 * The {@code [delivery]} table: how remote delivery finds and reaches other servers.
 *
 * @param dnsServer  host:port of the DNS server to ask, or null for the system resolver
 * @param remotePort the SMTP port of remote servers (25; tests point it at loopback MTAs)
 */
public record DeliveryConfig(String dnsServer, int remotePort) {
}
