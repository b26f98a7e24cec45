package dev.mailflow.app;

import dev.mailflow.server.ConnectorConfig;
import dev.mailflow.server.Endpoints;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code mailflow check}: reads and checks a configuration without starting anything, as
 * {@code postfix check} does, and says what the server would listen on and whether those
 * ports are free now.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Check a configuration without starting the server.",
            "Every key, as serve checks it (two connectors on one port are a mistake); then what the server "
                + "would listen on (and whether each port is free now), whether each connector's milters answer "
                + "now, where local copies go (Maildir, or the LMTP server, and whether it answers now), the directory (and "
                + "whether its database or LDAP server answers now), the queue (and whether a shared queue's database answers now), the domains and mailboxes it would serve, and its data directory.",
            "Then the DNS records to publish: the TLSA record (DANE-EE 3 1 1) of the [tls] certificate at "
                + "_25._tcp.HOSTNAME, the _mta-sts TXT record of each accepted domain when [mta_sts] bind is set, "
                + "and a TLS-RPT record for each.",
            "Warnings (\"warning:\" lines) name what is valid but probably not meant: an alias to a local address "
                + "that does not exist, a domain without a postmaster address."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the configuration is valid (a port in use now, and warnings, are reported, not errors)",
            "2:the configuration has a mistake (one line says where)"})
public final class CheckCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        String lookupProblem = null;
        PrintWriter out = spec.commandLine().getOut();
        MailflowConfig cfg = config.loadOrReport(spec.commandLine().getErr());
        if (cfg == null) {
            return ExitCodes.USAGE;
        }
        var server = cfg.server();
        out.println("mailflow: " + cfg.source() + " is valid");
        var identity = cfg.part(TopLevelSection.SECTION);
        out.println("  hostname: " + server.hostname()
                + (identity.hostnameReason() == null ? "" : " (" + identity.hostnameReason() + ")"));
        for (ConnectorConfig c : server.connectors()) {
            out.println("  " + c.name() + ": SMTP on " + Endpoints.format(c.bind()) + " " + ConnectorSummary.describe(c) + ", "
                    + portState(c.bind()));
            for (var milter : c.milters().list()) {
                out.println("    milter " + milter.address() + ": " + dev.mailflow.milter.MilterCheck.describe(milter));
            }
        }
        if (cfg.web().enabled()) {
            out.println("  web console: " + Endpoints.format(cfg.web().bind()) + ", " + portState(cfg.web().bind()));
        }
        try {
            if (!server.directory().fromConfigFile()) {
                out.println("  directory: " + server.directory().describe());
                String wrong = server.directory().checkLookups();
                if (wrong != null) {
                    out.println("  directory: a lookup is WRONG: " + wrong + " (every RCPT would get 451 4.3.0)");
                    lookupProblem = wrong;
                }
            }
            out.println("  accepted domains: " + server.directory().acceptedDomains().stream()
                    .map(d -> d.name() + (d.catchAll() != null ? " (catch-all " + d.catchAll() + ")" : ""))
                    .collect(Collectors.joining(", ")));
            out.println("  mailboxes: " + server.directory().mailboxes().stream().map(m -> m.address().toString())
                    .sorted().collect(Collectors.joining(", ")));
        } catch (dev.mailflow.directory.DirectoryUnavailable e) {
            out.println("  directory: does NOT answer now: " + e.getMessage() + " (RCPT would get 451 4.3.0, AUTH "
                    + "454 4.7.0, until it does)");
        }
        for (var s : cfg.delivery().sendConnectors()) {
            out.println("  send connector " + s.name() + ": " + String.join(", ", s.domains()) + " via " + s.host()
                    + ":" + s.port() + (s.requireTls() ? " (TLS required)" : ""));
        }
        var lmtp = cfg.delivery().lmtp();
        out.println("  local delivery: " + (lmtp == null ? "Maildir in " + server.dataDir().resolve("mailboxes")
                .toAbsolutePath() : "LMTP to " + lmtp + ", which " + dev.mailflow.delivery.local.LmtpDelivery.check(
                lmtp, server.hostname(), java.time.Duration.ofSeconds(5))));
        var shared = cfg.queue().shared();
        out.println("  queue: " + (shared == null ? "files in " + server.dataDir().resolve("queue").toAbsolutePath()
                : "shared in PostgreSQL at " + SqlDirectories.redacted(shared.url()).replaceFirst("^jdbc:postgresql://", "")
                + " as node " + shared.nodeId() + " (lease " + dev.mailflow.queue.Durations.words(shared.lease()) + "), which "
                + SharedQueueDatabase.check(shared)));
        out.println("  data: " + server.dataDir().toAbsolutePath() + " (" + dataState(server.dataDir()) + ")");
        out.println("  DNS records to publish for outbound TLS policy (DANE, MTA-STS, TLS-RPT):");
        for (String line : PublishedRecords.lines(cfg)) {
            out.println("    " + line);
        }
        out.flush();
        var err = spec.commandLine().getErr();
        for (String w : ConfigWarnings.of(cfg)) {
            err.println("mailflow: warning: " + w);
        }
        if (lookupProblem != null) {
            err.println("mailflow: [directory] " + lookupProblem);
            err.flush();
            return ExitCodes.USAGE;
        }
        String data = dataState(server.dataDir());
        if (data.contains("NOT") || data.startsWith("cannot")) {
            // serve would refuse to start: the configuration is not one to run with.
            err.println("mailflow: data_dir " + server.dataDir().toAbsolutePath() + " " + data
                    + ": serve would not start with it");
            err.flush();
            return ExitCodes.USAGE;
        }
        err.flush();
        return ExitCodes.OK;
    }

    /** Whether the port can be bound now; binding port 0 always can. */
    static String portState(InetSocketAddress bind) {
        try (var socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(bind);
            return "port free";
        } catch (IOException e) {
            return "port in use or not available now (" + e.getMessage() + ")";
        }
    }

    private static String dataState(Path dir) {
        if (Files.isDirectory(dir)) {
            return Files.isWritable(dir) ? "exists, writable" : "exists, NOT writable";
        }
        if (Files.exists(dir)) {
            return "exists and is NOT a directory";
        }
        Path parent = dir.toAbsolutePath().getParent();
        while (parent != null && !Files.exists(parent)) {
            parent = parent.getParent();
        }
        if (parent == null || !Files.isWritable(parent)) {
            return "cannot be created: " + parent + " is not writable";
        }
        // Writable by its mode is not enough (/proc, a read-only mount): try, and leave nothing.
        try {
            Files.delete(Files.createTempDirectory(parent, ".mailflow-check-"));
            return "will be created";
        } catch (IOException e) {
            String why = e instanceof java.nio.file.FileSystemException f && f.getReason() != null
                    ? f.getReason().toLowerCase(java.util.Locale.ROOT)
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied" : "it refuses new directories";
            return "cannot be created in " + parent + " (" + why + ")";
        }
    }
}
