package dev.mailflow.app;

import dev.mailflow.delivery.Router;
import dev.mailflow.delivery.dsn.DsnService;
import dev.mailflow.delivery.local.LmtpDelivery;
import dev.mailflow.delivery.local.MaildirDelivery;
import dev.mailflow.delivery.remote.MxResolver;
import dev.mailflow.delivery.remote.RemoteConfig;
import dev.mailflow.delivery.remote.RemoteDelivery;
import dev.mailflow.delivery.signing.DkimKeyring;
import dev.mailflow.delivery.signing.ArcOutboundSigner;
import dev.mailflow.delivery.signing.DkimOutboundSigner;
import dev.mailflow.delivery.signing.OutboundSigner;
import dev.mailflow.delivery.tls.TlsReporter;
import dev.mailflow.queue.DeliveryAgent;
import dev.mailflow.queue.DeliveryOutcome;
import dev.mailflow.queue.QueueStore;
import dev.mailflow.queue.QueuedMessage;
import dev.mailflow.queue.TrackingLog;
import dev.mailflow.server.ConnectorConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The delivery side as the configuration makes it: the router over Maildir, remote delivery
 * (by MX or through send connectors, DKIM-signing with the {@code [[dkim_key]]} keys loaded
 * with the configuration) and delivery status notifications, behind the one
 * {@link DeliveryAgent} the scheduler keeps. A reload wires the next one from the new
 * directory and delivery settings and swaps it in; an attempt in progress finishes with the
 * one it started with.
 */
final class Deliveries implements DeliveryAgent, AutoCloseable {

    /** How long a replaced remote delivery may still hand back sessions before they are closed. */
    private static final Duration RETIRE_AFTER = Duration.ofMinutes(15);

    private record Wiring(Router router, RemoteDelivery remote, DsnService dsn, DeliveryConfig delivery,
                          LmtpDelivery lmtp) {
    }

    private final String hostname;
    private final QueueStore store;
    private final TrackingLog tracking;
    private final Clock clock;
    private final MaildirDelivery local;
    private final Set<InetSocketAddress> ownListeners;
    private final ConfiguredDns dns;
    private final OutboundTls tlsPolicies;
    private final AutoCloseable mtaStsRefresh;
    private final TlsReports tlsReports;
    private volatile Consumer<QueuedMessage> submit = m -> { };
    private volatile Wiring current;

    /**
     * @param dns the program's one resolver, shared with the receive side; a reload points it at
     *            a changed {@code dns_server} before it calls {@link #reconfigure}
     */
    Deliveries(MailflowConfig config, ConfiguredDns dns, QueueStore store, TrackingLog tracking, Clock clock)
            throws IOException {
        this.dns = dns;
        var rpt = TlsReports.of(config);
        this.tlsReports = rpt == null || !rpt.enabled() ? null : new TlsReports(rpt, config.server().dataDir(),
                config.server().hostname(), dns, config.delivery().caFile(), store, tracking, clock,
                m -> submit.accept(m));
        this.tlsPolicies = new OutboundTls(dns, config.server().dataDir(), clock,
                tlsReports == null ? TlsReporter.NONE : tlsReports);
        this.hostname = config.server().hostname();
        this.store = store;
        this.tracking = tracking;
        this.clock = clock;
        this.local = new MaildirDelivery(config.server().dataDir().resolve("mailboxes"), hostname, clock.getZone(),
                config.delivery().maildirLinkFrom());
        this.ownListeners = config.server().connectors().stream().map(ConnectorConfig::bind).collect(Collectors.toSet());
        this.current = wire(config, null);
        this.mtaStsRefresh = tlsPolicies.startRefresh(Duration.ofHours(1));
    }

    private Wiring wire(MailflowConfig config, Wiring previous) throws IOException {
        var d = config.delivery();
        RemoteDelivery remote = previous != null && previous.delivery().equals(d) ? previous.remote()
                : new RemoteDelivery(new RemoteConfig(hostname, d.remotePort(), d.timeouts(), d.startTls(),
                        d.maxConnections(), d.maxConnectionsPerHost(), d.sendConnectors()),
                        new MxResolver(dns, MxResolver.describe(d.dnsServer())), ownListeners, clock.getZone(),
                        OutboundSigner.allOf(new DkimOutboundSigner(new DkimKeyring(d.dkimKeys(), clock)),
                                new ArcOutboundSigner(d.dkimKeys(), hostname, clock)),
                        tlsPolicies.finder(d), tlsPolicies.reporter());
        var dsn = new DsnService(hostname, store, tracking, clock, config.queue().retry());
        dsn.submitTo(m -> submit.accept(m));
        // Local copies over LMTP (local = "lmtp"), else to Maildir here; kept across a reload that leaves it as it is.
        LmtpDelivery lmtp = d.lmtp() == null ? null : previous != null && previous.lmtp() != null
                && previous.lmtp().endpoint().equals(d.lmtp()) ? previous.lmtp()
                : new LmtpDelivery(d.lmtp(), hostname, clock.getZone(), d.timeouts());
        return new Wiring(new Router(config.server().directory(), lmtp != null ? lmtp : local, remote, dsn), remote,
                dsn, d, lmtp);
    }

    /** Where DSNs go to be delivered (the scheduler, once it exists). */
    void submitTo(Consumer<QueuedMessage> submit) {
        this.submit = submit;
    }

    /**
     * Directory, delivery settings, send connectors and retry times for the attempts that
     * start from now on.
     *
     * @throws IOException when the DNS server cannot be used; then nothing has changed
     */
    void reconfigure(MailflowConfig config) throws IOException {
        var old = current;
        current = wire(config, old);
        if (old.lmtp() != null && old.lmtp() != current.lmtp()) {
            old.lmtp().close(); // idle connections only: a delivery under way finishes on its own
        }
        if (old.remote() != current.remote()) {
            old.remote().close();
            Thread.ofVirtual().name("retire-remote-delivery").start(() -> {
                try {
                    Thread.sleep(RETIRE_AFTER);
                } catch (InterruptedException e) {
                    return;
                }
                old.remote().close();
            });
        }
    }

    @Override
    public Map<Integer, DeliveryOutcome> deliver(QueuedMessage message, List<Integer> pending, Content content,
                                                 boolean mayBeDelivered) {
        return current.router().deliver(message, pending, content, mayBeDelivered);
    }

    @Override
    public void sync() throws IOException {
        local.sync();
    }

    @Override
    public boolean finished(QueuedMessage message, Content content) {
        return current.router().finished(message, content);
    }

    @Override
    public QueuedMessage delayed(QueuedMessage message, Content content) {
        return current.router().delayed(message, content);
    }

    /** The resolver every lookup of the delivery side goes through (the server takes the same one). */
    ConfiguredDns dns() {
        return dns;
    }

    @Override
    public void close() {
        try {
            mtaStsRefresh.close();
        } catch (Exception e) {
            // interrupting a thread does not fail
        }
        current.remote().close();
        if (current.lmtp() != null) {
            current.lmtp().close();
        }
        if (tlsReports != null) {
            tlsReports.close();
        }
    }
}
