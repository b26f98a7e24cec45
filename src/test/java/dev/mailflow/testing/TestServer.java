package dev.mailflow.testing;

import dev.mailflow.app.ConfigLoader;
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
 */
public final class TestServer implements AutoCloseable {

    public static final String HOSTNAME = "mail1.fabrikam.com";
    public static final String FRONTEND = "Default Frontend";
    public static final String SUBMISSION = "Client Submission";

    private final MailServer server;
    private final Path dataDir;

    private TestServer(MailServer server, Path dataDir) {
        this.server = server;
        this.dataDir = dataDir;
    }

    /** Starts a server; {@code connectorLines} are TOML lines added to every connector. */
    public static TestServer start(List<String> connectorLines, List<String> extraTables) throws Exception {
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

                [[mailbox]]
                address = "\\"john doe\\"@example.test"

                [[mailbox]]
                address = "用户@example.test"

                [[alias]]
                address = "team@fabrikam.com"
                recipients = ["kate@fabrikam.com", "postmaster@example.test"]
                """);
        extraTables.forEach(l -> toml.append(l).append('\n'));
        var config = ConfigLoader.loadString(toml.toString(), "test.toml", dir);
        return new TestServer(MailServer.start(config.server(), Clock.systemDefaultZone()), config.server().dataDir());
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

    public Path dataDir() {
        return dataDir;
    }

    /** The committed messages' content files, oldest first. */
    public List<Path> queuedMessages() throws IOException {
        try (Stream<Path> files = Files.list(dataDir.resolve("queue/active"))) {
            return files.filter(p -> p.toString().endsWith(".eml")).sorted().toList();
        }
    }

    /** Waits until {@code n} messages are queued, or the timeout passes; returns them. */
    public List<Path> awaitQueued(int n, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        List<Path> list = new ArrayList<>();
        while (System.nanoTime() < end) {
            list = queuedMessages();
            if (list.size() >= n) {
                break;
            }
            Thread.sleep(20);
        }
        return list;
    }

    @Override
    public void close() {
        server.close();
    }
}
