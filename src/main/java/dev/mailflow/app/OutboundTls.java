package dev.mailflow.app;

import dev.mailflow.delivery.tls.PeerCheck;
import dev.mailflow.delivery.tls.PolicySources;
import dev.mailflow.delivery.tls.TlsPolicyFinder;
import dev.mailflow.delivery.tls.TlsReporter;

/**
 * The outbound TLS policy machinery as the configuration makes it, kept across reloads (the
 * MTA-STS policy cache, the TLS-RPT log): DANE through the program's resolver, MTA-STS with
 * its cache in the data directory, WebPKI with the JDK's and {@code ca_file}'s anchors.
 */
final class OutboundTls {

    private final ConfiguredDns dns;

    OutboundTls(ConfiguredDns dns) {
        this.dns = dns;
    }

    TlsPolicyFinder finder(DeliveryConfig d) {
        PolicySources.Dane dane = (host, port) -> new PolicySources.NotDane("not wired yet");
        PolicySources.Sts sts = domain -> null;
        PolicySources.WebPki webPki = (host, anchors) -> chain -> new PeerCheck.Refused("not wired yet",
                "certificate-not-trusted");
        return new TlsPolicyFinder(d.tls(), d.tlsPolicies(), dane, sts, webPki);
    }

    TlsReporter reporter() {
        return TlsReporter.NONE;
    }
}
