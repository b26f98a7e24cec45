package dev.mailflow.app;

import dev.mailflow.queue.Scheduler;
import dev.mailflow.server.ConnectorConfig;
import dev.mailflow.server.MailServer;
import dev.mailflow.server.ServerConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGHUP and {@code mailflow reload}: read the configuration again and apply what can change
 * while the server runs, as {@code postfix reload} does. A file with a mistake is refused with
 * its one-line error and the running configuration stays. Otherwise the domains, mailboxes,
 * aliases, passwords, connector rules, send connectors, DKIM keys, delivery and retry settings
 * and the certificate change for the sessions and delivery attempts that start from now on; what is
 * bound or named at start (listeners, host name, data directory, the console, log limits,
 * delivery concurrency) is logged as needing a restart and keeps its value. One log line per
 * changed item.
 */
final class ConfigReload {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigReload.class);

    /**
     * What a reload did.
     *
     * @param error   the one-line configuration error when the file was refused, else null
     * @param source  the file read (or the embedded defaults)
     * @param changes what changed, or would need a restart to change
     */
    record Report(String source, String error, List<ConfigDiff.Change> changes) {

        boolean applied() {
            return error == null;
        }
    }

    private final MailflowConfig started;
    private final MailServer server;
    private final Deliveries deliveries;
    private final Scheduler scheduler;
    private volatile MailflowConfig running;

    ConfigReload(MailflowConfig started, MailServer server, Deliveries deliveries, Scheduler scheduler) {
        this.started = started;
        this.running = started;
        this.server = server;
        this.deliveries = deliveries;
        this.scheduler = scheduler;
    }

    /** The configuration in force: the one started with, plus what reloads changed. */
    MailflowConfig running() {
        return running;
    }

    synchronized Report reload() {
        if (started.parts() == null) {
            return refused("this server's configuration was put together in code: there is no file to read again");
        }
        MailflowConfig next;
        try {
            next = ConfigLoader.reload(started);
        } catch (ConfigException e) {
            return refused(e.getMessage());
        }
        var changes = new ArrayList<ConfigDiff.Change>();
        for (var c : ConfigDiff.between(started, next)) {
            if (c.needsRestart()) {
                changes.add(c);
            }
        }
        for (var c : ConfigDiff.between(running, next)) {
            if (!c.needsRestart()) {
                changes.add(c);
            }
        }
        var effective = keepWhatNeedsARestart(next);
        String fingerprint = server.tls() == null ? null : server.tls().fingerprint();
        try {
            // The one resolver the server and delivery share: repointed, not replaced (a new cache
            // only when the server changes).
            deliveries.dns().use(effective.delivery().dnsServer(), effective.delivery().dnssecTrustAnchor());
        } catch (IllegalArgumentException e) {
            return refused(next.source() + ": [delivery] dns_server: " + e.getMessage());
        }
        try {
            server.reconfigure(effective.server());
        } catch (IOException e) {
            return refused(next.source() + ": tls: cannot make or read the certificate: " + e.getMessage());
        }
        try {
            deliveries.reconfigure(effective);
        } catch (IOException e) {
            // dns_server is an address literal the loader checked: this does not happen
            LOG.error("reload: delivery keeps its settings: {}", e.getMessage());
        }
        scheduler.retryPolicy(effective.queue().retry());
        var before = running;
        running = effective;
        String now = server.tls() == null ? null : server.tls().fingerprint();
        if (!Objects.equals(fingerprint, now)) {
            changes.add(new ConfigDiff.Change("TLS certificate SHA-256 " + (fingerprint == null ? "(none)" : fingerprint)
                    + " -> " + now, false));
        }
        changes.addAll(replacedKeys(before, effective));
        if (changes.isEmpty()) {
            LOG.info("reload: {} read again, nothing changed", next.source());
        }
        for (var c : changes) {
            if (c.needsRestart()) {
                LOG.warn("reload: {}", c.line());
            } else {
                LOG.info("reload: {}", c.line());
            }
        }
        ConfigWarnings.of(effective).forEach(w -> LOG.warn("{}: {}", next.source(), w));
        return new Report(next.source(), null, List.copyOf(changes));
    }

    /**
     * DKIM keys whose table did not change but whose file now holds another key (a rotation
     * done in place): the new key signs from now on, and the reload says so.
     */
    private static List<ConfigDiff.Change> replacedKeys(MailflowConfig before, MailflowConfig after) {
        var changes = new ArrayList<ConfigDiff.Change>();
        for (var now : after.delivery().dkimKeys()) {
            for (var was : before.delivery().dkimKeys()) {
                if (was.domain().equals(now.domain()) && was.selector().equalsIgnoreCase(now.selector())
                        && !was.equals(now)) {
                    changes.add(new ConfigDiff.Change(DkimKeySection.SECTION.describe(now.domain() + " "
                            + now.selector()) + ": private key replaced (" + now.algorithm().tag() + ")", false));
                }
            }
        }
        return changes;
    }

    private Report refused(String error) {
        LOG.error("reload refused, the running configuration stays: {}", error);
        return new Report(started.source(), error, List.of());
    }

    /**
     * {@code next} with what a reload cannot change taken from the running server: the
     * listeners (each connector it started with, on its address; a removed one as it runs
     * now), the host name and data directory, the console, the log limits and the delivery
     * concurrency.
     */
    private MailflowConfig keepWhatNeedsARestart(MailflowConfig next) {
        var connectors = new ArrayList<ConnectorConfig>();
        for (var c : started.server().connectors()) {
            var updated = find(next.server(), c.name());
            connectors.add(updated != null ? updated.withBind(c.bind()) : find(running.server(), c.name()));
        }
        var s = next.server();
        var server = new ServerConfig(started.server().hostname(), started.server().dataDir(), connectors,
                s.directory(), s.minFreeSpace(), s.maxHops(), s.tlsCertificate(), s.tlsKey());
        var queue = new QueueConfig(next.queue().retry(), next.queue().minFreeSpace(),
                started.queue().deliveryConcurrency(), started.queue().shared());
        return new MailflowConfig(next.source(), started.web(), started.logs(), server, queue, next.delivery(),
                next.parts());
    }

    private static ConnectorConfig find(ServerConfig config, String name) {
        return config.connectors().stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
    }
}
