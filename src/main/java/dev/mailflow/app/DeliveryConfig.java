package dev.mailflow.app;

import dev.mailflow.auth.dkim.DkimSigningKey;
import dev.mailflow.client.ClientTimeouts;
import dev.mailflow.delivery.remote.SendConnector;
import java.util.List;

/**
 * The {@code [delivery]} table and the send connectors: how remote delivery finds and reaches
 * other servers.
 *
 * @param dnsServer             host:port of the DNS server to ask, or null for the system resolver
 * @param remotePort            the SMTP port of remote servers (25; tests point it at loopback MTAs)
 * @param startTls              use STARTTLS when offered (opportunistic; certificates not verified)
 * @param timeouts              connect and reply timeouts (RFC 5321 4.5.3.2 unless one is set for all)
 * @param maxConnections        outbound connections at once
 * @param maxConnectionsPerHost outbound connections at once to one address
 * @param maxHops               Received headers a message may carry before it is refused as a loop
 * @param sendConnectors        smart hosts ({@code [[send_connector]]}), first match wins
 * @param dkimKeys              the signing keys ({@code [[dkim_key]]}), loaded and checked
 */
public record DeliveryConfig(String dnsServer, int remotePort, boolean startTls, ClientTimeouts timeouts,
                             int maxConnections, int maxConnectionsPerHost, int maxHops,
                             List<SendConnector> sendConnectors, List<DkimSigningKey> dkimKeys) {

    public DeliveryConfig {
        sendConnectors = List.copyOf(sendConnectors);
        dkimKeys = List.copyOf(dkimKeys);
    }
}
