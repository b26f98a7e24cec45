package dev.mailflow.app;

import dev.mailflow.auth.dkim.DkimSigningKey;
import dev.mailflow.client.ClientTimeouts;
import dev.mailflow.delivery.remote.SendConnector;
import dev.mailflow.delivery.tls.TlsMode;
import dev.mailflow.delivery.tls.TlsRule;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
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
 * @param tls                   the TLS level of destinations no {@code [[tls_policy]]} names
 * @param tlsPolicies           {@code [[tls_policy]]}, first match wins
 * @param caFile                {@code ca_file}: extra trust anchors, or null
 * @param caCertificates        what it holds (empty without one)
 * @param dnssecTrustAnchor     {@code dnssec_trust_anchor}: DNSSEC validated here with these
 *                              anchors ({@link #ROOT_ANCHOR} for the built-in root key), or null
 *                              to believe the AD bit of a validating resolver on loopback
 * @param mtaStsPort            the HTTPS port MTA-STS policies are fetched from (443)
 * @param lmtp                  local delivery over LMTP to this server ({@code local = "lmtp"}),
 *                              or null for Maildir here
 * @param maildirLinkFrom       from this many Maildir copies of one message on, one file is
 *                              written and hard-linked into each mailbox (0: never)
 */
public record DeliveryConfig(String dnsServer, int remotePort, boolean startTls, ClientTimeouts timeouts,
                             int maxConnections, int maxConnectionsPerHost, int maxHops,
                             List<SendConnector> sendConnectors, List<DkimSigningKey> dkimKeys, TlsMode tls,
                             List<TlsRule> tlsPolicies, Path caFile, List<X509Certificate> caCertificates,
                             Path dnssecTrustAnchor, int mtaStsPort,
                             dev.mailflow.delivery.local.LmtpEndpoint lmtp, int maildirLinkFrom) {

    /** The {@code dnssec_trust_anchor} word for the root zone's key signing keys, built in. */
    public static final String ROOT_ANCHOR = "root";

    public DeliveryConfig {
        sendConnectors = List.copyOf(sendConnectors);
        dkimKeys = List.copyOf(dkimKeys);
        tlsPolicies = List.copyOf(tlsPolicies);
        caCertificates = List.copyOf(caCertificates);
    }
}
