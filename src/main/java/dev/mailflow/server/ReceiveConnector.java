package dev.mailflow.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listening socket and the sessions it started: one virtual thread accepts, one virtual
 * thread per connection runs its {@link Session}.
 *
 * <p>A reload gives the connector a new configuration and context; each session takes the
 * pair that is current when it connects and keeps it to its end.
 */
public final class ReceiveConnector implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReceiveConnector.class);

    /** What a new session gets: the connector's rules and its services, replaced together on reload. */
    private record Setup(ConnectorConfig config, Session.Context context) {
    }

    private volatile Setup setup;
    private final ServerSocket serverSocket;
    private final ConnectionLimiter limiter;
    private final AtomicLong sessionCounter;
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final String sessionPrefix;
    private Thread acceptor;
    private volatile boolean stopping;

    /** Binds a listening socket for a connector. */
    static ServerSocket bind(ConnectorConfig config) throws IOException {
        var socket = new ServerSocket();
        try {
            socket.setReuseAddress(true);
            socket.bind(config.bind(), 512);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        return socket;
    }

    /** Over a bound socket; {@link #start} begins accepting. */
    ReceiveConnector(ConnectorConfig config, ServerSocket socket, Session.Context context, AtomicLong sessionCounter) {
        this.setup = new Setup(config, context);
        this.sessionCounter = sessionCounter;
        this.limiter = new ConnectionLimiter(config.maxConnections(), config.maxConnectionsPerIp(),
                config.maxConnectionsPerNetwork());
        this.sessionPrefix = Long.toHexString(System.currentTimeMillis()).toUpperCase();
        this.serverSocket = socket;
    }

    /** The configuration new sessions get. */
    public ConnectorConfig config() {
        return setup.config();
    }

    /**
     * Rules and services for the sessions that connect from now on (a reload); the listening
     * address stays, sessions in progress keep theirs.
     */
    void reconfigure(ConnectorConfig config, Session.Context context) {
        limiter.limits(config.maxConnections(), config.maxConnectionsPerIp(), config.maxConnectionsPerNetwork());
        setup = new Setup(config, context);
    }

    /** The address actually bound (the real port when the config said 0). */
    public InetSocketAddress boundAddress() {
        return (InetSocketAddress) serverSocket.getLocalSocketAddress();
    }

    public ProtocolLog protocolLog() {
        return setup.context().protocolLog();
    }

    public int openConnections() {
        return limiter.open();
    }

    private final java.util.concurrent.atomic.AtomicLong totalConnections = new java.util.concurrent.atomic.AtomicLong();

    /** Connections accepted since start, refused ones included. */
    public long totalConnections() {
        return totalConnections.get();
    }

    void start() {
        acceptor = Thread.ofVirtual().name("accept-" + config().name()).start(this::acceptLoop);
    }

    private void acceptLoop() {
        while (!stopping) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (SocketException e) {
                if (!stopping) {
                    LOG.error("connector '{}' stopped accepting: {}", config().name(), e.toString());
                }
                return;
            } catch (IOException e) {
                LOG.warn("connector '{}': accept failed: {}", config().name(), e.toString());
                continue;
            }
            totalConnections.incrementAndGet();
            // Admission in accept order, before any thread is started for the connection.
            var client = ((InetSocketAddress) socket.getRemoteSocketAddress()).getAddress();
            var first = limiter.tryAcquire(client);
            // Full: the connection that has waited longest for a command makes room, if any has
            // waited long enough; the new client then waits a moment for its slot.
            boolean madeRoom = first == ConnectionLimiter.Admission.TOO_MANY && evictIdlest();
            var thread = Thread.ofVirtual().name("smtp-" + config().name()).unstarted(() -> serve(socket,
                    madeRoom ? admitAfterEviction(client) : first));
            threads.add(thread);
            thread.start();
        }
    }

    /**
     * Closes the session that has waited longest for a command, if one waited long enough; else
     * the oldest message transfer slower than {@link Deadlines#BUSY_MIN_DATA_RATE}.
     */
    private boolean evictIdlest() {
        long now = System.nanoTime();
        Session idlest = null;
        long since = Long.MAX_VALUE;
        Session slowest = null;
        long slowSince = Long.MAX_VALUE;
        for (var s : sessions) {
            long w = s.waitingSince();
            if (w != 0 && w < since && now - w >= Deadlines.EVICT_IDLE_AFTER.toNanos()) {
                idlest = s;
                since = w;
            }
            long t = s.slowTransferSince(now);
            if (t != 0 && t < slowSince) {
                slowest = s;
                slowSince = t;
            }
        }
        var chosen = idlest != null ? idlest : slowest;
        if (chosen == null || !chosen.evict()) {
            return false;
        }
        LOG.info("connector '{}' is full: closed a connection {} for {} ms to make room", config().name(),
                chosen == idlest ? "idle" : "sending slowly", (now - (chosen == idlest ? since : slowSince)) / 1_000_000);
        return true;
    }

    private ConnectionLimiter.Admission admitAfterEviction(java.net.InetAddress client) {
        try {
            return limiter.acquireWithin(client, Deadlines.EVICTION_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ConnectionLimiter.Admission.TOO_MANY;
        }
    }

    private void serve(Socket socket, ConnectionLimiter.Admission admission) {
        var client = ((InetSocketAddress) socket.getRemoteSocketAddress()).getAddress();
        String id = sessionPrefix + "-" + sessionCounter.incrementAndGet();
        boolean admitted = admission == ConnectionLimiter.Admission.ADMITTED;
        var current = setup; // read once: the session keeps what it started with
        var config = current.config();
        var context = current.context();
        try (socket) {
            socket.setTcpNoDelay(true);
            var session = new Session(config, context, socket, id, limiter::busy);
            if (!config.admits(client)) {
                session.refuse(dev.mailflow.smtp.Reply.NOT_PERMITTED_ON_CONNECTOR);
                return;
            }
            switch (admission) {
                case TOO_MANY -> session.refuse(dev.mailflow.smtp.Reply.tooManyConnections(context.hostname()));
                case TOO_MANY_FROM_ADDRESS -> session.refuse(
                        dev.mailflow.smtp.Reply.tooManyConnectionsFromAddress(context.hostname()));
                case TOO_MANY_FROM_NETWORK -> session.refuse(
                        dev.mailflow.smtp.Reply.tooManyConnectionsFromNetwork(context.hostname()));
                case ADMITTED -> {
                    sessions.add(session);
                    try {
                        session.run();
                    } finally {
                        sessions.remove(session);
                    }
                }
            }
        } catch (IOException e) {
            LOG.debug("{}: {}", id, e.toString());
        } finally {
            if (admitted) {
                limiter.release(client);
            }
            threads.remove(Thread.currentThread());
        }
    }

    /** Stops accepting; sessions in progress go on until {@link #awaitSessions} or close. */
    void stopAccepting() {
        stopping = true;
        try {
            serverSocket.close();
        } catch (IOException e) {
            LOG.debug("closing listener: {}", e.toString());
        }
    }

    /** Waits until sessions have ended, at most until the deadline; true when all did. */
    boolean awaitSessions(long deadlineNanos) throws InterruptedException {
        for (var t : threads) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0 || !t.join(java.time.Duration.ofNanos(left))) {
                return threads.isEmpty();
            }
        }
        return true;
    }

    @Override
    public void close() {
        stopAccepting();
        for (var s : sessions) {
            s.shutdown();
        }
    }
}
