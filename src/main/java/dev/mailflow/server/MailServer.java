package dev.mailflow.server;

import dev.mailflow.queue.QueueStore;
import dev.mailflow.queue.QueuedMessage;
import dev.mailflow.queue.TrackingLog;
import java.util.function.Consumer;
import java.io.IOException;
import java.nio.file.Path;
import java.net.BindException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving server: binds every receive connector and runs them until closed. A reload
 * ({@link #reconfigure}) gives the connectors new rules and a new directory for the sessions
 * that start after it; the listeners stay as they are.
 */
public final class MailServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MailServer.class);

    private volatile ServerConfig config;
    private final List<ReceiveConnector> connectors = new ArrayList<>();
    /** The protocol log of each connector that has had one on, by name: one file per day, kept across reloads. */
    private final java.util.Map<String, ProtocolLog> logs = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile dev.mailflow.server.tls.TlsContextProvider tls;
    private final ServerStats stats = new ServerStats();
    /** DNS for the checks of received mail: the resolver (and cache) delivery uses too; a reload repoints it. */
    private final dev.mailflow.dns.DnsResolver dns;
    private final QueueStore store;
    private final TrackingLog tracking;
    private final Consumer<QueuedMessage> queued;
    private final Clock clock;
    private final dev.mailflow.server.auth.AuthFailureLimiter authLimiter;
    private volatile dev.mailflow.server.auth.PasswordVerifier passwords;
    /** DNS lists and reverse DNS of clients, for every connector; its warnings outlive reloads. */
    private final dev.mailflow.server.protection.ConnectionFilter connectionFilter;
    /** Rate counters of every connector; they outlive reloads. */
    private dev.mailflow.server.limits.RateCounters rateCounters =
            new dev.mailflow.server.limits.SlidingWindowCounters();
    /** The greylist, opened when a connector first asks for greylisting (or the cluster's); null until then. */
    private dev.mailflow.server.limits.Triplets greylist;
    /** In a cluster: the rate counters and greylist the nodes share; null on a single server. */
    private dev.mailflow.server.limits.SharedCounters shared;

    public ServerStats stats() {
        return stats;
    }

    /**
     * Failed AUTH from one client address (an IPv6 client: its /64), across connections,
     * within the window, before AUTH from there is refused.
     */
    static final int AUTH_FAILURES_PER_ADDRESS = 10;
    /** Failed AUTH at one account (existing or not), from anywhere, before AUTH to it is refused. */
    static final int AUTH_FAILURES_PER_ACCOUNT = 20;
    static final Duration AUTH_FAILURE_WINDOW = Duration.ofMinutes(15);
    /** Client networks, and accounts, whose failures are remembered at most (about 10 MB each). */
    static final int AUTH_FAILURES_TRACKED = 65_536;

    /** The TLS context of the connectors, or null when none does TLS. */
    public dev.mailflow.server.tls.TlsContextProvider tls() {
        return tls;
    }
    /** A connector that could not bind: which one, and why. */
    public static final class BindFailure extends IOException {
        private final ConnectorConfig connector;

        BindFailure(ConnectorConfig connector, IOException cause) {
            super(cause.getMessage(), cause);
            this.connector = connector;
        }

        public ConnectorConfig connector() {
            return connector;
        }

        public boolean inUse() {
            return getCause() instanceof BindException && String.valueOf(getCause().getMessage()).contains("in use");
        }
    }

    private MailServer(ServerConfig config, QueueStore store, TrackingLog tracking, Consumer<QueuedMessage> queued,
                       Clock clock, dev.mailflow.dns.DnsResolver dns) {
        this.config = config;
        this.dns = java.util.Objects.requireNonNull(dns);
        this.store = store;
        this.tracking = tracking;
        this.queued = queued;
        this.clock = clock;
        this.authLimiter = new dev.mailflow.server.auth.AuthFailureLimiter(AUTH_FAILURES_PER_ADDRESS,
                AUTH_FAILURES_PER_ACCOUNT, AUTH_FAILURE_WINDOW, AUTH_FAILURES_TRACKED, clock);
        this.connectionFilter = new dev.mailflow.server.protection.ConnectionFilter(dns, clock);
    }

    /** The connection filter of every connector (its list warnings, for tests and metrics). */
    public dev.mailflow.server.protection.ConnectionFilter connectionFilter() {
        return connectionFilter;
    }

    /**
     * Binds all connectors (or none) and starts accepting. Accepted messages go to the store;
     * {@code queued} hears of each one after it is committed.
     */
    public static MailServer start(ServerConfig config, QueueStore store, TrackingLog tracking,
                                   Consumer<QueuedMessage> queued, Clock clock, dev.mailflow.dns.DnsResolver dns)
            throws IOException {
        return start(config, store, tracking, queued, clock, dns, null);
    }

    /** As above; in a cluster, with the counters its nodes share ({@code shared}, else null). */
    public static MailServer start(ServerConfig config, QueueStore store, TrackingLog tracking,
                                   Consumer<QueuedMessage> queued, Clock clock, dev.mailflow.dns.DnsResolver dns,
                                   dev.mailflow.server.limits.SharedCounters shared)
            throws IOException {
        var server = new MailServer(config, store, tracking, queued, clock, dns);
        if (shared != null) {
            server.shared = shared;
            server.rateCounters = shared.rates();
        }
        var counter = new AtomicLong();
        // Every port first: a port in use is a configuration error, told before anything else.
        var sockets = new ArrayList<java.net.ServerSocket>();
        try {
            for (var c : config.connectors()) {
                try {
                    sockets.add(ReceiveConnector.bind(c));
                } catch (IOException e) {
                    throw new BindFailure(c, e);
                }
            }
            server.passwords = dev.mailflow.server.auth.PasswordVerifier.start(config.directory().fromConfigFile()
                    ? config.directory().mailboxes().stream().map(dev.mailflow.directory.Mailbox::password)
                    .filter(java.util.Objects::nonNull).toList() : java.util.List.of());
            if (needsTls(config)) {
                server.tls = dev.mailflow.server.tls.TlsContextProvider.create(config.tlsCertificate(),
                        config.tlsKey(), config.hostname(), config.dataDir().resolve("tls"));
            }
            for (int i = 0; i < config.connectors().size(); i++) {
                var c = config.connectors().get(i);
                server.connectors.add(new ReceiveConnector(c, sockets.get(i), server.context(config, c), counter));
            }
        } catch (IOException | RuntimeException e) {
            for (var socket : sockets) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing after a failed start
                }
            }
            server.close();
            throw e;
        }
        for (var c : server.connectors) {
            c.start();
            LOG.debug("connector '{}' listening on {}", c.config().name(), c.boundAddress());
        }
        return server;
    }

    private static boolean needsTls(ServerConfig config) {
        return config.connectors().stream().anyMatch(c -> c.tls() != ConnectorConfig.Tls.OFF);
    }

    /** The services of a connector's sessions. */
    private Session.Context context(ServerConfig config, ConnectorConfig c) {
        ProtocolLog log = c.protocolLog() ? logs.computeIfAbsent(c.name(),
                name -> new ProtocolLog(config.dataDir().resolve("logs"), name, clock)) : null;
        var authentication = new EmailAuthentication(new dev.mailflow.auth.MessageAuthenticator(dns, config.hostname(),
                clock, dev.mailflow.auth.dkim.DkimPolicy.standard()), config.hostname(), stats);
        var limits = new java.util.ArrayList<PolicyHook>();
        limits.add(new dev.mailflow.server.limits.RateLimitHook(rateCounters, clock, config.hostname()));
        var greylisting = greylist(config, c);
        if (greylisting != null) {
            limits.add(new dev.mailflow.server.limits.GreylistHook(greylisting, config.directory(), clock));
        }
        return new Session.Context(config.hostname(), config.directory(), store,
                Policies.forConnector(c, config.directory(), store, config.minFreeSpace(), authentication,
                        connectionFilter.hook(), limits, c.milters().list().stream()
                                .<PolicyHook>map(m -> new dev.mailflow.milter.MilterHook(m, config.hostname())).toList()),
                log,
                tracking, queued,
                clock, config.maxHops(), tls, authLimiter, passwords, stats);
    }

    /**
     * The greylist when the connector greylists, opened the first time one does (its journal
     * under the data directory); null when it does not, or when the journal cannot be opened
     * (logged: mail then passes without greylisting, never refused for it).
     */
    private synchronized dev.mailflow.server.limits.Triplets greylist(ServerConfig config, ConnectorConfig c) {
        if (!c.rates().greylisting()) {
            return null;
        }
        if (shared != null) {
            return shared.greylist();
        }
        if (greylist == null) {
            Path journal = config.dataDir().resolve("greylist").resolve("triplets.journal");
            try {
                greylist = dev.mailflow.server.limits.Greylist.open(journal, clock.instant(),
                        c.rates().greylistExpiry(), dev.mailflow.server.limits.Greylist.DEFAULT_MAX_ENTRIES);
            } catch (IOException | RuntimeException e) {
                LOG.error("greylist {} cannot be opened ({}): mail passes without greylisting", journal,
                        e.toString());
                return null;
            }
        }
        return greylist;
    }

    /**
     * Takes a new configuration for the sessions that start from now on: the same connectors
     * (by name, on the addresses they listen on; the caller keeps what needs a restart), with
     * new rules, directory and certificate. Sessions in progress keep what they started with.
     *
     * @throws IOException when TLS is needed now and no certificate can be made or read; then
     *                     nothing has changed
     */
    public synchronized void reconfigure(ServerConfig next) throws IOException {
        var provider = tls;
        if (provider == null && needsTls(next)) {
            provider = dev.mailflow.server.tls.TlsContextProvider.create(next.tlsCertificate(), next.tlsKey(),
                    next.hostname(), next.dataDir().resolve("tls"));
        } else if (provider != null) {
            provider.use(next.tlsCertificate(), next.tlsKey(), next.hostname(), next.dataDir().resolve("tls"));
        }
        tls = provider;
        for (var rc : connectors) {
            var c = next.connectors().stream().filter(n -> n.name().equals(rc.config().name())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no connector " + rc.config().name()
                            + " in the new configuration"));
            rc.reconfigure(c, context(next, c));
        }
        config = next;
    }

    public List<ReceiveConnector> connectors() {
        return List.copyOf(connectors);
    }

    public ReceiveConnector connector(String name) {
        return connectors.stream().filter(c -> c.config().name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no connector named " + name));
    }

    public ServerConfig config() {
        return config;
    }

    /**
     * Stops accepting, gives sessions in progress up to {@code grace} to finish, then closes
     * the rest. A message that was not yet acknowledged is dropped, never half-queued.
     */
    public void shutdown(Duration grace) {
        connectors.forEach(ReceiveConnector::stopAccepting);
        long deadline = System.nanoTime() + grace.toNanos();
        try {
            for (var c : connectors) {
                c.awaitSessions(deadline);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
    }

    @Override
    public void close() {
        connectors.forEach(ReceiveConnector::close);
        logs.values().forEach(ProtocolLog::close);
        synchronized (this) {
            if (greylist instanceof dev.mailflow.server.limits.Greylist own) {
                own.close();
            }
        }
        if (passwords != null) {
            passwords.close();
        }
    }
}
