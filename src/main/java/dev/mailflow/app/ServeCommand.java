package dev.mailflow.app;

import dev.mailflow.queue.QueueState;
import dev.mailflow.server.MailServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code mailflow serve}: runs the server until SIGTERM or SIGINT. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run the mail server until SIGTERM or Ctrl-C.", "",
            "Without --config it runs on embedded defaults:",
            "  SMTP, anonymous:           127.0.0.1:2525",
            "  submission, authenticated: 127.0.0.1:5870",
            "  mail accepted for localhost and example.test (mailboxes postmaster, kate)",
            "  data, queue and logs in ./data",
            "A config file replaces these defaults key by key (docs/configuration.md).", ""},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped by a signal", "1:failed at run time",
            "2:bad configuration, or a port could not be opened"})
public final class ServeCommand implements Callable<Integer> {

    /** How long sessions in progress get to finish at shutdown. */
    static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);

    @picocli.CommandLine.Mixin
    ConfigOption config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        MailflowConfig cfg = config.loadOrReport(err);
        if (cfg == null) {
            return ExitCodes.USAGE;
        }
        MailflowRuntime runtime;
        try {
            runtime = MailflowRuntime.start(cfg, Clock.systemDefaultZone());
        } catch (MailflowRuntime.DataDirectoryInUse | MailflowRuntime.WebBindFailure | MtaStsPublisher.BindFailure e) {
            err.println("mailflow: " + e.getMessage());
            return ExitCodes.USAGE;
        } catch (MailServer.BindFailure e) {
            var c = e.connector();
            String problem = e.inUse() ? dev.mailflow.server.Endpoints.format(c.bind())
                    + " is already in use by another program (ss -ltnp 'sport = :" + c.bind().getPort()
                    + "' shows which): stop it, or give the connector another bind"
                    : "cannot listen on " + c.bind() + ": " + e.getMessage();
            err.println("mailflow: " + ConfigLoaderErrors.bindError(cfg, c, problem));
            return ExitCodes.USAGE;
        } catch (dev.mailflow.queue.PostgresQueueStore.SharedQueueUnavailable e) {
            err.println("mailflow: " + e.getMessage());
            return ExitCodes.FAILURE;
        } catch (IOException e) {
            String problem = IoErrors.describe(e);
            err.println("mailflow: cannot use the data directory: " + (problem.startsWith("/") ? problem
                    : cfg.server().dataDir() + ": " + problem));
            return ExitCodes.FAILURE;
        }

        out.println("Mailflow " + MailflowCommand.Version.version() + " on " + cfg.server().hostname()
                + " (config: " + cfg.source() + ")");
        var identity = cfg.part(TopLevelSection.SECTION);
        if (identity.hostnameReason() != null) {
            out.println("  hostname " + identity.hostname() + " (" + identity.hostnameReason() + ")");
        }
        if (FileNameEncoding.warning() != null) {
            out.println("  " + FileNameEncoding.warning());
        }
        for (var c : runtime.server().connectors()) {
            var a = c.boundAddress();
            var cc = c.config();
            out.println("  " + cc.name() + ": SMTP on " + dev.mailflow.server.Endpoints.format(a) + " "
                    + ConnectorSummary.describe(cc));
        }
        if (runtime.server().tls() != null) {
            out.println("  TLS certificate SHA-256 " + runtime.server().tls().fingerprint()
                    + (cfg.server().tlsCertificate() == null ? " (self-signed, in " + cfg.server().dataDir()
                    .resolve("tls").toAbsolutePath() + ")" : ""));
        }
        if (runtime.web() != null) {
            out.println("  web console: " + runtime.web().url());
            String password = runtime.generatedWebPassword();
            if (password != null) {
                out.println("  web console password (shown once; set [web] password to choose one): " + password);
            } else {
                out.println("  " + PasswdCommand.webHint(cfg, config.file));
            }
        }
        if (runtime.mtaStsListener() != null) {
            var published = cfg.part(MtaStsSection.SECTION).policy();
            out.println("  MTA-STS policy (mode " + published.mode().word() + ", id " + published.policyId()
                    + ") on https://" + dev.mailflow.server.Endpoints.format(runtime.mtaStsListener().address())
                    + "/.well-known/mta-sts.txt");
        }
        var stopped = new CountDownLatch(1);
        var stopOnce = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable stop = () -> {
            if (stopOnce.compareAndSet(false, true)) {
                runtime.shutdown(SHUTDOWN_GRACE);
                out.println(stoppedLine(runtime.queuedAtStop(), cfg.queue().shared() != null));
                out.flush();
                stopped.countDown();
            }
        };
        // Before "Stop with": from then on a signal must find its handler. SIGTERM and SIGINT
        // stop the server in order and it exits 0, as the guide says and systemd expects; the
        // hook covers any other way the JVM is asked to end (then 143).
        SignalHandlers.onStop(stop);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.run();
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "mailflow-shutdown"));
        if (!cfg.server().directory().fromConfigFile()) {
            out.println("  directory: " + cfg.server().directory().describe());
        }
        var shared = cfg.queue().shared();
        if (shared != null) {
            out.println("  queue: shared in PostgreSQL at " + SqlDirectories.redacted(shared.url())
                    .replaceFirst("^jdbc:postgresql://", "") + ", as node " + shared.nodeId() + " (lease "
                    + shared.lease().toSeconds() + " s)");
        }
        out.println("  data: " + cfg.server().dataDir().toAbsolutePath());
        out.println("  mailboxes: " + cfg.server().dataDir().resolve("mailboxes").toAbsolutePath());
        out.println("  logs: " + cfg.server().dataDir().resolve("logs").toAbsolutePath());
        out.println("Stop with Ctrl-C or SIGTERM.");
        out.flush();

        stopped.await();
        return ExitCodes.OK;
    }

    /** The last line: what is left in the queue for the next start (null: it could not be counted). */
    static String stoppedLine(Map<QueueState, Integer> queued) {
        return stoppedLine(queued, false);
    }

    /** With a shared queue the other nodes carry on, and the count is the cluster's. */
    static String stoppedLine(Map<QueueState, Integer> queued, boolean shared) {
        if (queued == null) {
            return "Mailflow stopped.";
        }
        int total = queued.values().stream().mapToInt(Integer::intValue).sum();
        if (total == 0) {
            return "Mailflow stopped: the queue is empty.";
        }
        var parts = new ArrayList<String>();
        queued.forEach((state, n) -> {
            if (n > 0) {
                parts.add(state.directory() + " " + n);
            }
        });
        return "Mailflow stopped: " + total + (total == 1 ? " message" : " messages") + " in the "
                + (shared ? "shared queue (" : "queue (") + String.join(", ", parts) + "); "
                + (shared ? "the other nodes deliver " : "the next start carries on with ")
                + (total == 1 ? "it." : "them.");
    }
}
