package dev.mailflow.testing;

import dev.mailflow.app.ConfigLoader;
import dev.mailflow.app.MailflowConfig;
import dev.mailflow.app.MailflowRuntime;
import dev.mailflow.queue.FileQueueStore;
import dev.mailflow.queue.TrackingLog;
import dev.mailflow.server.MailServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real Mailflow server in the test's JVM, on ephemeral loopback ports, with its own data
 * directory. The directory is the seeds' world: fabrikam.com with kate, plus example.test.
 * {@link #start} runs the whole program (queue, delivery); {@link #receiveOnly} runs the
 * receive connectors over a file queue with no delivery, so tests can look at queued files.
 */
public final class TestServer implements AutoCloseable {

    public static final String HOSTNAME = "mail1.fabrikam.com";
    public static final String FRONTEND = "Default Frontend";
    public static final String SUBMISSION = "Client Submission";

    static {
        // As Main does first thing: before any TLS in the test JVM (JSSE reads it once).
        dev.mailflow.server.tls.JsseHardening.apply();
    }

    private final MailServer server;
    private final MailflowRuntime runtime;
    private final Path dataDir;

    private TestServer(MailServer server, MailflowRuntime runtime, Path dataDir) {
        this.server = server;
        this.runtime = runtime;
        this.dataDir = dataDir;
    }

    /** Starts the whole program; {@code connectorLines} are TOML lines added to every connector. */
    public static TestServer start(List<String> connectorLines, List<String> extraTables) throws Exception {
        return start(connectorLines, extraTables, List.of(), List.of());
    }

    /** With lines added to the {@code [delivery]} and {@code [queue]} tables too. */
    public static TestServer start(List<String> connectorLines, List<String> extraTables, List<String> deliveryLines,
                                   List<String> queueLines) throws Exception {
        return start(config(connectorLines, extraTables, deliveryLines, queueLines));
    }

    /** Starts the whole program on {@code config}, as made by {@link #config} and changed by a test. */
    public static TestServer start(MailflowConfig config) throws Exception {
        var runtime = MailflowRuntime.start(config, Clock.systemDefaultZone());
        return new TestServer(runtime.server(), runtime, config.server().dataDir());
    }

    /** Starts only the receive connectors over a file queue: messages stay queued. */
    public static TestServer receiveOnly(List<String> connectorLines) throws Exception {
        var config = config(connectorLines, List.of());
        var data = config.server().dataDir();
        var store = new FileQueueStore(data.resolve("queue"));
        var server = MailServer.start(config.server(), store, new TrackingLog(data.resolve("logs"),
                Clock.systemDefaultZone()), m -> { }, Clock.systemDefaultZone(), dev.mailflow.dns.Zone.builder().build());
        return new TestServer(server, null, data);
    }

    /** The configuration tests run with, in a new temporary data directory. */
    public static MailflowConfig config(List<String> connectorLines, List<String> extraTables) throws Exception {
        return config(connectorLines, extraTables, List.of(), List.of());
    }

    public static MailflowConfig config(List<String> connectorLines, List<String> extraTables,
                                        List<String> deliveryLines, List<String> queueLines) throws Exception {
        Path dir = Files.createTempDirectory("mailflow-test");
        var toml = new StringBuilder();
        toml.append("hostname = \"").append(HOSTNAME).append("\"\n");
        toml.append("data_dir = \"").append(dir.resolve("data").toString().replace("\\", "\\\\")).append("\"\n");
        for (String[] c : new String[][] {{FRONTEND, "true"}, {SUBMISSION, "false"}}) {
            toml.append("\n[[receive_connector]]\nname = \"").append(c[0]).append("\"\n");
            toml.append("bind = \"127.0.0.1:0\"\nanonymous = ").append(c[1]).append('\n');
            connectorLines.forEach(l -> toml.append(l).append('\n'));
        }
        toml.append("""

                [[accepted_domain]]
                name = "fabrikam.com"

                [[accepted_domain]]
                name = "example.test"

                [[accepted_domain]]
                name = "catchall.test"
                catch_all = "kate@fabrikam.com"

                [[mailbox]]
                address = "kate@fabrikam.com"
                password = "secret"
                aliases = ["katherine@fabrikam.com"]

                [[mailbox]]
                address = "postmaster@example.test"
                # "hunter2", hashed by mailflow passwd
                password = "$2y$12$RGSb5ddwnLEarE2J1sovBujfsiCJ4QBfbMn3Rzc1c8BLiT1vqop3i"

                [[mailbox]]
                address = "\\"john doe\\"@example.test"

                [[mailbox]]
                address = "用户@example.test"

                [[alias]]
                address = "team@fabrikam.com"
                recipients = ["kate@fabrikam.com", "postmaster@example.test"]

                # Tests talk to loopback only: nothing answers DNS here, so remote
                # recipients (DSNs to outside senders) wait in the queue.
                [delivery]
                """);
        if (deliveryLines.stream().noneMatch(l -> l.startsWith("dns_server"))) {
            toml.append("dns_server = \"127.0.0.1:9\"\n");
        }
        deliveryLines.forEach(l -> toml.append(l).append('\n'));
        toml.append("\n[web]\nbind = \"127.0.0.1:0\"\npassword = \"admin-secret\"\n");
        toml.append("\n[queue]\n");
        queueLines.forEach(l -> toml.append(l).append('\n'));
        extraTables.forEach(l -> toml.append(l).append('\n'));
        return ConfigLoader.loadString(toml.toString(), "test.toml", dir);
    }

    public static TestServer start() throws Exception {
        return start(List.of(), List.of());
    }

    public InetSocketAddress address(String connector) {
        return server.connector(connector).boundAddress();
    }

    public int port() {
        return address(FRONTEND).getPort();
    }

    public MailServer server() {
        return server;
    }

    public MailflowRuntime runtime() {
        return runtime;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The committed queue files, oldest first. */
    public List<Path> queuedMessages() throws IOException {
        try (Stream<Path> files = Files.list(dataDir.resolve("queue/messages"))) {
            return files.filter(p -> p.toString().endsWith(".msg")).sorted().toList();
        }
    }

    /** The Maildir of a mailbox, as local delivery lays it out. */
    public Path maildir(String address) {
        int at = address.lastIndexOf('@');
        return dataDir.resolve("mailboxes").resolve(address.substring(at + 1).toLowerCase())
                .resolve(address.substring(0, at).toLowerCase());
    }

    /** The messages in a mailbox's new/ folder, oldest first. */
    public List<Path> delivered(String address) throws IOException {
        Path dir = maildir(address).resolve("new");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }

    /** Waits until a mailbox holds {@code n} new messages, or the timeout passes; returns them. */
    public List<Path> awaitDelivered(String address, int n, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        List<Path> list = new ArrayList<>();
        while (System.nanoTime() < end) {
            list = delivered(address);
            if (list.size() >= n) {
                break;
            }
            Thread.sleep(10);
        }
        return list;
    }

    /** A delivered message without the trace headers local delivery put in front. */
    public static String withoutTraceHeaders(String message) {
        String s = message;
        while (s.startsWith("Return-Path:") || s.startsWith("Delivered-To:") || s.startsWith("Received:")
                || s.startsWith("Authentication-Results: " + HOSTNAME + ";") || s.startsWith("\t")) {
            s = s.substring(s.indexOf("\r\n") + 2);
        }
        return s;
    }

    @Override
    public void close() {
        if (runtime != null) {
            runtime.close();
        } else {
            server.close();
        }
    }
}
