package dev.mailflow.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.server.auth.Passwords;
import dev.mailflow.smtp.MailAddress;
import dev.mailflow.testing.ExternalTool;
import dev.mailflow.testing.ServerProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded defaults are a loopback demo: kate@example.test has the README's test password
 * there, a file with its own connectors gets none of the demo mailboxes, and the README's
 * submission example works as written.
 */
class EmbeddedDefaultsTest {

    @TempDir
    Path dir;

    private static final MailAddress KATE = new MailAddress("kate", "example.test");

    @Test
    void kateHasTheTestPasswordOnlyWithTheLoopbackConnectors() throws Exception {
        var defaults = ConfigLoader.loadDefaults();
        assertThat(defaults.server().connectors()).allMatch(c -> c.bind().getAddress().isLoopbackAddress());
        var kate = defaults.server().directory().mailbox(KATE);
        assertThat(Passwords.isHash(kate.password())).isTrue();
        assertThat(Passwords.matches(kate.password(), "secret")).isTrue();

        // A file that keeps the default connectors keeps the demo mailboxes...
        var same = ConfigLoader.loadString("hostname = \"mail.example.test\"\n", "keep.toml", dir);
        assertThat(same.server().directory().mailbox(KATE)).isNotNull();

        // ...one with its own connectors (here beyond loopback) starts with none of them.
        var own = ConfigLoader.loadString("""
                [[receive_connector]]
                name = "Internet"
                bind = "0.0.0.0:25"
                """, "own.toml", dir);
        assertThat(own.server().directory().mailbox(KATE)).isNull();
        assertThat(own.server().directory().acceptedDomains()).isEmpty();
        assertThat(ConfigWarnings.of(own)).anyMatch(w -> w.startsWith("no [[accepted_domain]]"));
    }

    /** The README's {@code swaks} command, its lines joined, without the prompt. */
    private static List<String> readmeSwaksCommand() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("$ swaks ");
        assertThat(start).as("the README has a swaks example").isPositive();
        var command = new StringBuilder();
        for (String line : readme.substring(start + 2).split("\n")) {
            boolean more = line.endsWith("\\");
            command.append(more ? line.substring(0, line.length() - 1) : line).append(' ');
            if (!more) {
                break;
            }
        }
        return List.of(command.toString().trim().split("\\s+"));
    }

    private static void requireFree(int port) {
        try (var s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            s.close();
        } catch (IOException e) {
            String message = "*** 127.0.0.1:" + port + " is in use: the README's example needs the default ports;"
                    + " stop what listens there ***";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(message);
            }
            System.err.println(message);
            Assumptions.abort(message);
        }
    }

    @Test
    void theReadmeSubmissionExampleWorksAsWritten() throws Exception {
        var command = new ArrayList<>(readmeSwaksCommand());
        assertThat(command).startsWith("swaks").contains("--auth-user", "kate@example.test", "--auth-password", "secret");
        command.set(0, ExternalTool.require("swaks").toString());
        requireFree(2525);
        requireFree(5870);
        // The default connectors and mailboxes; the data here, and DNS on loopback where nothing answers,
        // so the relayed message just waits in the queue.
        Path config = Files.writeString(dir.resolve("mailflow.toml"), """
                data_dir = "data"
                [delivery]
                dns_server = "127.0.0.1:9"
                [web]
                enabled = false
                """);
        try (var server = ServerProcess.start(config)) {
            var swaks = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(swaks.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(swaks.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(swaks.exitValue()).as(out).isZero();
            assertThat(out).contains(" -> STARTTLS").contains("<~  235 2.7.0 Authentication successful")
                    .contains("<~  250 2.6.0");
            assertThat(server.stop()).as("exit code after SIGTERM").isZero();
        }
    }
}
