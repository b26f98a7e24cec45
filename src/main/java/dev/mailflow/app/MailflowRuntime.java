package dev.mailflow.app;

import dev.mailflow.queue.FileQueueStore;
import dev.mailflow.queue.QueueAdmin;
import dev.mailflow.queue.QueueState;
import dev.mailflow.queue.QueueStore;
import dev.mailflow.queue.Scheduler;
import dev.mailflow.queue.TrackingLog;
import dev.mailflow.server.MailServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * The whole running program, wired: queue store and recovery, tracking log, delivery,
 * scheduler, receive connectors and the admin channel. Start order follows the flow
 * backwards (delivery is ready before the first message arrives); stop order follows it
 * forwards (no new mail, then deliveries finish, then files close).
 */
public final class MailflowRuntime implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MailflowRuntime.class);

    private final DataDirectoryLock lock;
    private final QueueStore store;
    private final TrackingLog tracking;
    private final Scheduler scheduler;
    private final MailServer server;
    private final AdminChannel admin;

    /** The data directory is in use by another running server. */
    public static final class DataDirectoryInUse extends IOException {
        DataDirectoryInUse(Path dir) {
            super("another Mailflow server is using the data directory " + dir + " (one server per data"
                    + " directory: stop that one first, or give this one its own data_dir; mailflow queue works"
                    + " with the running one)");
        }
    }

    /** The web console's address cannot be listened on (another program has it). */
    public static final class WebBindFailure extends IOException {
        WebBindFailure(java.net.InetSocketAddress bind, IOException cause) {
            super("[web] bind " + dev.mailflow.server.Endpoints.format(bind) + (String.valueOf(cause.getMessage())
                    .contains("in use") ? " is already in use by another program" : ": cannot listen there")
                    + "; set [web] bind to another address or port, or [web] enabled = false", cause);
        }
    }

    private MailflowRuntime(DataDirectoryLock lock, QueueStore store, TrackingLog tracking,
                            Scheduler scheduler, MailServer server, AdminChannel admin) {
        this.lock = lock;
        this.store = store;
        this.tracking = tracking;
        this.scheduler = scheduler;
        this.server = server;
        this.admin = admin;
    }

    public static MailflowRuntime start(MailflowConfig config, Clock clock) throws IOException {
        Path data = config.server().dataDir();
        var lock = DataDirectoryLock.tryAcquire(data);
        if (lock == null) {
            throw new DataDirectoryInUse(data);
        }
        QueueStore store = null;
        SharedQueueDatabase sharedQueue = null;
        TrackingLog tracking = null;
        dev.mailflow.web.WebConsole web = null;
        dev.mailflow.tlspolicy.mtasts.PolicyListener mtaSts = null;
        Deliveries deliveries = null;
        ConfiguredDns dns;
        Scheduler scheduler = null;
        MailServer server = null;
        try {
            if (config.queue().shared() != null) {
                sharedQueue = SharedQueueDatabase.open(config.queue(), data);
                store = sharedQueue.store();
            } else {
                store = new FileQueueStore(data.resolve("queue"));
            }
            tracking = new TrackingLog(data.resolve("logs"), clock);
            if (sharedQueue != null) {
                tracking.shareWith(sharedQueue.tracking().start());
            }
            dns = new ConfiguredDns(config.delivery().dnsServer(), config.delivery().dnssecTrustAnchor());
            deliveries = new Deliveries(config, dns, store, tracking, clock);
            scheduler = new Scheduler(store, deliveries, config.queue().retry(), tracking, clock,
                    config.queue().deliveryConcurrency());
            deliveries.submitTo(scheduler::submit);
            // The queue is cleaned up and listed now; its messages are read once the listeners
            // are open (a queue of 100,000 deferred messages takes seconds to read).
            var recovery = store.beginRecovery();
            scheduler.start();
            // The same resolver and cache as remote delivery: one DNS for the whole program.
            server = MailServer.start(config.server(), store, tracking, scheduler::submit, clock, dns,
                    sharedQueue == null ? null : sharedQueue.counters());
            var reload = new ConfigReload(config, server, deliveries, scheduler);
            var queueAdmin = new QueueAdmin(store, scheduler, tracking, clock);
            var adminChannel = AdminChannel.start(data, queueAdmin, reload);
            if (config.web().enabled()) {
                try {
                    web = dev.mailflow.web.WebConsole.start(config.web(), server, config.server(), store, queueAdmin,
                            tracking, clock, password -> announcedPassword = password);
                } catch (java.net.BindException e) {
                    throw new WebBindFailure(config.web().bind(), e);
                }
            }
            // [mta_sts] bind: the HTTPS listener publishing our MTA-STS policy (RFC 8461 3.2).
            mtaSts = MtaStsPublisher.start(config, server, reload::running);
            // SIGHUP reads the whole configuration again; certificate files are also checked every 30 seconds.
            SignalHandlers.onHangup(reload::reload);
            var tlsServer = server;
            Thread tlsWatcher = Thread.ofVirtual().name("tls-reload").start(() -> {
                while (true) {
                    try {
                        Thread.sleep(30_000);
                    } catch (InterruptedException e) {
                        return;
                    }
                    var tls = tlsServer.tls();
                    if (tls != null) {
                        tls.reloadIfChanged();
                    }
                }
            });
            ConfigWarnings.of(config).forEach(w -> LOG.warn("{}: {}", config.source(), w));
            var retention = new LogRetention(data.resolve("logs"), config.logs(), clock).start();
            var runtime = new MailflowRuntime(lock, store, tracking, scheduler, server, adminChannel);
            runtime.recovery = startRecovery(recovery, scheduler);
            runtime.retention = retention;
            runtime.tlsWatcher = tlsWatcher;
            runtime.web = web;
            runtime.mtaSts = mtaSts;
            runtime.deliveries = deliveries;
            runtime.dns = dns;
            runtime.reload = reload;
            runtime.sharedQueue = sharedQueue;
            return runtime;
        } catch (IOException | RuntimeException e) {
            if (mtaSts != null) {
                mtaSts.close();
            }
            if (web != null) {
                web.close();
            }
            if (server != null) {
                server.close();
            }
            if (scheduler != null) {
                scheduler.close();
            }
            if (tracking != null) {
                tracking.close();
            }
            if (sharedQueue != null) {
                sharedQueue.close();
            }
            lock.close();
            throw e;
        }
    }

    public MailServer server() {
        return server;
    }

    private dev.mailflow.web.WebConsole web;
    private dev.mailflow.tlspolicy.mtasts.PolicyListener mtaSts;
    private Deliveries deliveries;
    private ConfiguredDns dns;
    private ConfigReload reload;
    private SharedQueueDatabase sharedQueue;
    private Thread retention;
    private Thread tlsWatcher;
    private Thread recovery;

    private static volatile String announcedPassword;

    /** Reads the queue's messages in the background, handing each to the scheduler as it comes. */
    private static Thread startRecovery(QueueStore.Recovery recovery, Scheduler scheduler) {
        return Thread.ofPlatform().daemon().name("queue-recovery").start(() -> {
            long started = System.nanoTime();
            try {
                int n = recovery.run(scheduler::recovered);
                long ms = (System.nanoTime() - started) / 1_000_000;
                if (n == 0) {
                    LOG.info("queue: read in {} ms, empty (nothing left from before this start)", ms);
                } else {
                    LOG.info("queue: {} {} recovered in {} ms", n, n == 1 ? "message" : "messages", ms);
                }
            } catch (java.io.IOException | RuntimeException e) {
                if (!Thread.currentThread().isInterrupted()) {
                    LOG.error("queue: reading the queue stopped: {}; the messages not read yet stay on disk and are"
                            + " delivered after a restart", e.getMessage());
                }
            }
        });
    }

    /** The web console, or null when it is off. */
    public dev.mailflow.web.WebConsole web() {
        return web;
    }

    /** The listener publishing our MTA-STS policy, or null when {@code [mta_sts] bind} is not set. */
    public dev.mailflow.tlspolicy.mtasts.PolicyListener mtaStsListener() {
        return mtaSts;
    }

    /** The admin password made at this first start (shown once), or null. */
    public String generatedWebPassword() {
        String p = announcedPassword;
        announcedPassword = null;
        return p;
    }

    /**
     * The one resolver of the whole program, with the shared cache: remote delivery asks it, and
     * the receive side's checks are to ask the same one. A reload that changes
     * {@code [delivery] dns_server} repoints it; the object stays the same.
     */
    public dev.mailflow.dns.DnsResolver dns() {
        return dns;
    }

    public QueueStore store() {
        return store;
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    /** The configuration in force: the one it started with, and what reloads changed since. */
    public MailflowConfig config() {
        return reload.running();
    }

    /** Stops receiving, lets transactions and deliveries in flight finish within the grace time. */
    public void shutdown(Duration grace) {
        if (recovery != null) {
            recovery.interrupt(); // what is not read yet is read at the next start
        }
        if (mtaSts != null) {
            mtaSts.close();
        }
        if (web != null) {
            web.close();
        }
        server.shutdown(grace);
        scheduler.shutdown(grace);
        if (deliveries != null) {
            deliveries.close();
        }
        admin.close();
        queuedAtStop = countQuietly();
        for (Thread t : new Thread[] {retention, tlsWatcher}) {
            if (t != null) {
                t.interrupt();
            }
        }
        tracking.close();
        store.close();
        if (sharedQueue != null) {
            sharedQueue.close();
        }
        try {
            lock.close();
        } catch (IOException e) {
            // the process is ending; the lock goes with it
        }
    }

    private volatile Map<QueueState, Integer> queuedAtStop;

    /** The messages left in the queue per state once stopped (deliveries drained), or null. */
    public Map<QueueState, Integer> queuedAtStop() {
        return queuedAtStop;
    }

    private Map<QueueState, Integer> countQuietly() {
        try {
            var counts = new EnumMap<QueueState, Integer>(QueueState.class);
            var all = store.countByState();
            for (var s : QueueState.ACCEPTED) {
                counts.put(s, all.getOrDefault(s, 0));
            }
            return counts;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public void close() {
        shutdown(Duration.ZERO);
    }
}
