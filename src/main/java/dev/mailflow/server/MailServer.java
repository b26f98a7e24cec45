package dev.mailflow.server;

import dev.mailflow.queue.QueueStore;
import dev.mailflow.queue.QueuedMessage;
import dev.mailflow.queue.TrackingLog;
import java.util.function.Consumer;
import java.io.IOException;
import java.net.BindException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The receiving server: binds every receive connector and runs them until closed. */
public final class MailServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MailServer.class);

    private final ServerConfig config;
    private final List<ReceiveConnector> connectors = new ArrayList<>();
    private final List<ProtocolLog> logs = new ArrayList<>();
    private dev.mailflow.server.tls.TlsContextProvider tls;
    private final ServerStats stats = new ServerStats();
    private dev.mailflow.server.auth.PasswordVerifier passwords;

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

    private MailServer(ServerConfig config) {
        this.config = config;
    }

    /**
     * Binds all connectors (or none) and starts accepting. Accepted messages go to the store;
     * {@code queued} hears of each one after it is committed.
     */
    public static MailServer start(ServerConfig config, QueueStore store, TrackingLog tracking,
                                   Consumer<QueuedMessage> queued, Clock clock) throws IOException {
        var server = new MailServer(config);
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
            boolean anyTls = config.connectors().stream().anyMatch(c -> c.tls() != ConnectorConfig.Tls.OFF);
            var tls = anyTls ? dev.mailflow.server.tls.TlsContextProvider.create(config.tlsCertificate(),
                    config.tlsKey(), config.hostname(), config.dataDir().resolve("tls")) : null;
            server.tls = tls;
            var authLimiter = new dev.mailflow.server.auth.AuthFailureLimiter(AUTH_FAILURES_PER_ADDRESS,
                    AUTH_FAILURES_PER_ACCOUNT, AUTH_FAILURE_WINDOW, AUTH_FAILURES_TRACKED, clock);
            var passwords = dev.mailflow.server.auth.PasswordVerifier.start(config.directory().mailboxes().stream()
                    .map(dev.mailflow.directory.Mailbox::password).filter(java.util.Objects::nonNull).toList());
            server.passwords = passwords;
            for (int i = 0; i < config.connectors().size(); i++) {
                var c = config.connectors().get(i);
                ProtocolLog log = c.protocolLog()
                        ? new ProtocolLog(config.dataDir().resolve("logs"), c.name(), clock) : null;
                if (log != null) {
                    server.logs.add(log);
                }
                var context = new Session.Context(config.hostname(), config.directory(), store,
                        Policies.forConnector(c, config.directory(), store, config.minFreeSpace()), log, tracking,
                        queued, clock, config.maxHops(), tls, authLimiter, passwords, server.stats);
                server.connectors.add(new ReceiveConnector(c, sockets.get(i), context, counter));
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
        if (passwords != null) {
            passwords.close();
        }
        logs.forEach(ProtocolLog::close);
    }
}
