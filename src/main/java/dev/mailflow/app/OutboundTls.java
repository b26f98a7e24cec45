package dev.mailflow.app;

import dev.mailflow.delivery.tls.HostPolicy;
import dev.mailflow.delivery.tls.PeerCheck;
import dev.mailflow.delivery.tls.PolicySources;
import dev.mailflow.delivery.tls.TlsPolicyFinder;
import dev.mailflow.delivery.tls.TlsReporter;
import dev.mailflow.tlspolicy.TrustAnchors;
import dev.mailflow.tlspolicy.WebPki;
import dev.mailflow.tlspolicy.dane.DaneLookup;
import dev.mailflow.tlspolicy.dane.DaneResult;
import dev.mailflow.tlspolicy.dane.DaneVerification;
import dev.mailflow.tlspolicy.dane.DaneVerifier;
import dev.mailflow.tlspolicy.dane.TlsaRecords;
import dev.mailflow.tlspolicy.mtasts.HttpsPolicyFetcher;
import dev.mailflow.tlspolicy.mtasts.MtaSts;
import dev.mailflow.tlspolicy.mtasts.MtaStsPolicy;
import dev.mailflow.tlspolicy.mtasts.PolicyStore;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbound TLS policy machinery as the configuration makes it: DANE through the program's
 * one resolver (RFC 7672), MTA-STS with its policy cache in {@code <data dir>/mta-sts}, kept
 * across restarts and reloads (RFC 8461 5.1), WebPKI checks with the JDK's anchors and
 * {@code [delivery] ca_file}'s. A reload makes a new finder over the same cache.
 */
final class OutboundTls {

    private static final Logger LOG = LoggerFactory.getLogger(OutboundTls.class);

    private final ConfiguredDns dns;
    private final PolicyStore store;
    private final Clock clock;
    private final TlsReporter reporter;
    private volatile MtaSts mtaSts;

    OutboundTls(ConfiguredDns dns, Path dataDir, Clock clock, TlsReporter reporter) {
        this.dns = dns;
        this.store = new PolicyStore(dataDir.resolve("mta-sts"));
        this.clock = clock;
        this.reporter = reporter;
    }

    TlsPolicyFinder finder(DeliveryConfig d) {
        var anchors = d.caFile() == null ? TrustAnchors.system() : TrustAnchors.withCaFile(d.caFile());
        var webPki = new WebPki(anchors, clock);
        var sts = new MtaSts(dns, new HttpsPolicyFetcher(dns, webPki, d.mtaStsPort(),
                HttpsPolicyFetcher.DEFAULT_TIMEOUT), store, clock);
        this.mtaSts = sts;
        var lookup = new DaneLookup(dns);
        var verifier = new DaneVerifier(clock);
        PolicySources.Dane dane = (host, port) -> switch (lookup.lookup(host, port)) {
            case DaneResult.Usable u -> new PolicySources.DaneUsable(chain -> switch (verifier.verify(List.of(chain), u)) {
                case DaneVerification.Matched m -> new PeerCheck.Authenticated(TlsaRecords.describe(m.record()));
                case DaneVerification.Failed f -> new PeerCheck.Refused(f.reason(), "validation-failure");
            }, u.usable().stream().map(r -> u.tlsaName() + " IN TLSA " + r).toList());
            case DaneResult.NoneUsable n -> new PolicySources.DaneNoneUsable(
                    n.all().stream().map(r -> n.tlsaName() + " IN TLSA " + r).toList());
            case DaneResult.NotDane n -> new PolicySources.NotDane(n.why());
            case DaneResult.TempFail t -> new PolicySources.DaneTempFail(t.why());
        };
        PolicySources.Sts stsSource = domain -> switch (sts.policyFor(domain)) {
            case MtaSts.Active a -> new PolicySources.StsPolicy(a.policy().mode() == MtaStsPolicy.Mode.ENFORCE,
                    a.policy()::matches, a.policy().lines());
            case MtaSts.NoPolicy n -> n.fetchFailed() ? PolicySources.StsPolicy.unfetchable(n.why()) : null;
        };
        PolicySources.WebPki pki = (host, only) -> {
            var checker = only.isEmpty() ? webPki : new WebPki(TrustAnchors.only(only), clock);
            return chain -> switch (checker.check(List.<X509Certificate>of(chain), host)) {
                case WebPki.Valid v -> new PeerCheck.Authenticated(only.isEmpty() ? "WebPKI (" + v.issuer() + ")"
                        : "the pinned CA " + v.issuer());
                case WebPki.Invalid i -> new PeerCheck.Refused(i.reason(), i.resultType());
            };
        };
        return new TlsPolicyFinder(d.tls(), d.tlsPolicies(), dane, stsSource, pki);
    }

    /** The MTA-STS machinery of the current configuration. */
    MtaSts mtaSts() {
        return mtaSts;
    }

    /**
     * Refreshes cached MTA-STS policies before their max_age ends (RFC 8461 10.2), once an
     * {@code every}, on a virtual thread; close() stops it.
     */
    AutoCloseable startRefresh(Duration every) {
        var thread = Thread.ofVirtual().name("mta-sts-refresh").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(every);
                    var sts = mtaSts;
                    if (sts != null) {
                        var tried = sts.refreshDue(clock.instant());
                        if (!tried.isEmpty()) {
                            LOG.info("MTA-STS: refreshed the policies of {}", String.join(", ", tried));
                        }
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    LOG.warn("MTA-STS: policy refresh failed: {}", e.toString());
                }
            }
        });
        return thread::interrupt;
    }

    TlsReporter reporter() {
        return reporter;
    }
}
