package dev.mailflow.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.queue.QueueJson;
import dev.mailflow.testing.Await;
import dev.mailflow.testing.MainRunner;
import dev.mailflow.testing.ServerProcess;
import dev.mailflow.testing.SmtpTestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mailflow serve} in a process of its own, as an operator meets it: a notice that could
 * not be delivered, held with its reason and released (through the running server and on the
 * files), the line it prints when it stops, and how to log in to the console at a second start.
 */
class ServeProcessTest {

    @TempDir
    Path dir;

    private static final String BASE = """
            hostname = "mail1.fabrikam.com"
            data_dir = "data"

            [[receive_connector]]
            name = "Default Frontend"
            bind = "127.0.0.1:0"

            [[accepted_domain]]
            name = "fabrikam.com"

            [[mailbox]]
            address = "kate@fabrikam.com"

            [delivery]
            dns_server = "127.0.0.1:9"
            """;

    @Test
    void aHeldNoticeSaysWhyAndReleaseReallyReleasesThroughTheServerAndOnTheFiles() throws Exception {
        Path config = Files.writeString(dir.resolve("mailflow.toml"), BASE + "\n[web]\nenabled = false\n");
        String cfg = config.toString();
        String id;
        try (var server = ServerProcess.start(config)) {
            try (var c = new SmtpTestClient(server.port("Default Frontend"))) {
                c.reply();
                // From an address of ours that is no mailbox: the success notice it asks for fails here.
                c.acceptedTransaction("contoso.com", "nobody@fabrikam.com",
                        "RCPT TO:<kate@fabrikam.com> NOTIFY=SUCCESS", "Subject: hello\r\n\r\nbody");
            }
            Await.until("a held notice", () -> held(cfg) != null);
            id = held(cfg);
            var list = MainRunner.run("queue", "list", "-c", cfg);
            assertThat(list.code()).isZero();
            assertThat(list.out()).contains("Queue: active 0, deferred 0, hold 1, corrupt 0")
                    .containsPattern(id + "\\s+hold\\s+\\d+s\\s+\\d+\\s+<> -> nobody@fabrikam\\.com")
                    .contains("a bounce that could not be delivered is kept on hold: nobody@fabrikam.com: 5.1.1 "
                            + "User unknown")
                    .contains("attempts 1");
            var json = QueueJson.MAPPER.readTree(MainRunner.run("queue", "list", "--json", "-c", cfg).out());
            assertThat(json.path("listing").path("messages").get(0).path("holdReason").asText())
                    .startsWith("a bounce that could not be delivered is kept on hold: nobody@fabrikam.com: 5.1.1");

            // Released through the server, it is really tried again (and, still undeliverable, held again).
            var release = MainRunner.run("queue", "release", id, "-c", cfg);
            assertThat(release.code()).isZero();
            assertThat(release.out().strip()).isEqualTo("message " + id + " released: it will be tried again now, "
                    + "for nobody@fabrikam.com (which had failed)");
            Await.until("the released notice tried again",
                    () -> MainRunner.run("queue", "list", "-c", cfg).out().contains("attempts 2"));
            // The HOLD event follows the status file that says "attempts 2": wait for it too.
            String heldId = id;
            var track = Await.until("the second HOLD event", () -> MainRunner.run("track", "--id", heldId, "-c", cfg)
                    .out(), out -> java.util.regex.Pattern.compile("(?s)FAIL .*HOLD .*RELEASE .*FAIL .*HOLD ")
                    .matcher(out).find());
            assertThat(track).containsPattern("(?s)FAIL .*HOLD .*RELEASE .*FAIL .*HOLD ");
            var again = MainRunner.run("queue", "release", id, "-c", cfg);
            assertThat(again.code()).isZero();
            Await.until("the notice tried a third time",
                    () -> MainRunner.run("queue", "list", "-c", cfg).out().contains("attempts 3"));

            assertThat(server.stop()).as("exit code after SIGTERM").isZero();
            assertThat(server.output()).contains("Mailflow stopped: 1 message in the queue (hold 1); the next start "
                    + "carries on with it.");
        }

        // No server: released on the files, it waits for the next start.
        var offline = MainRunner.run("queue", "release", id, "-c", cfg);
        assertThat(offline.code()).isZero();
        assertThat(offline.out().strip()).isEqualTo("message " + id + " released: it will be tried again when the "
                + "server starts ('mailflow serve'), for nobody@fabrikam.com (which had failed)");
        assertThat(MainRunner.run("queue", "list", "-c", cfg).out()).containsPattern(id + "\\s+active ");
        var notHeld = MainRunner.run("queue", "release", id, "-c", cfg);
        assertThat(notHeld.code()).isEqualTo(1);
        assertThat(notHeld.err().strip()).isEqualTo("mailflow: message " + id + " is not on hold (it is active)");

        // The mailbox now exists: the next start delivers the released notice.
        Files.writeString(config, "\n[[mailbox]]\naddress = \"nobody@fabrikam.com\"\n",
                java.nio.file.StandardOpenOption.APPEND);
        try (var server = ServerProcess.start(config)) {
            Path inbox = dir.resolve("data/mailboxes/fabrikam.com/nobody/new");
            Await.until("the released notice delivered", () -> count(inbox) == 1);
            Await.until("an empty queue",
                    () -> MainRunner.run("queue", "list", "-c", cfg).out().contains("(no messages)"));
            var gone = MainRunner.run("queue", "release", id, "-c", cfg);
            assertThat(gone.code()).isEqualTo(1);
            assertThat(gone.err().strip()).isEqualTo("mailflow: no message " + id + " in the queue");
            assertThat(server.stop()).as("exit code after SIGTERM").isZero();
            assertThat(server.output()).contains("Mailflow stopped: the queue is empty.");
        }
    }

    @Test
    void aSecondStartSaysHowToLogInAndPasswdWebSetsANewPassword() throws Exception {
        Path config = Files.writeString(dir.resolve("mailflow.toml"), BASE + "\n[web]\nbind = \"127.0.0.1:0\"\n");
        Path hashFile = dir.resolve("data/web/admin-password.hash");
        String first;
        try (var server = ServerProcess.start(config)) {
            var m = Pattern.compile("web console password \\(shown once; set \\[web] password to choose one\\): "
                    + "(\\w+)").matcher(server.output());
            assertThat(m.find()).as(server.output()).isTrue();
            first = m.group(1);
            assertThat(server.stop()).as("exit code after SIGTERM").isZero();
        }
        try (var server = ServerProcess.start(config)) {
            assertThat(server.output()).doesNotContain("shown once").contains("  web console password: kept hashed in "
                    + hashFile + "; forgotten? 'mailflow passwd --web --config " + config + "' sets a new one");
            String login = consoleUrl(server.output()) + "api/login";
            assertThat(login(login, first)).isEqualTo(200);

            var passwd = MainRunner.runWithInput("a new console password\n", "passwd", "--web", "--config",
                    config.toString());
            assertThat(passwd.code()).isZero();
            assertThat(passwd.out().strip()).isEqualTo("mailflow: new web console password kept (hashed) in "
                    + hashFile + "; it works from the next login");
            assertThat(Files.readString(hashFile)).startsWith("$2y$").doesNotContain("a new console password");
            assertThat(login(login, "a new console password")).as("the running console reads it").isEqualTo(200);
            assertThat(login(login, first)).isEqualTo(401);
            assertThat(server.stop()).as("exit code after SIGTERM").isZero();
        }

        Path configured = Files.writeString(dir.resolve("configured.toml"), BASE
                + "\n[web]\nbind = \"127.0.0.1:0\"\npassword = \"chosen\"\n");
        var refused = MainRunner.runWithInput("x\n", "passwd", "--web", "--config", configured.toString());
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err().strip()).isEqualTo("mailflow: the web console password is [web] password in "
                + configured + "; change it there ('mailflow passwd' prints a hash for it)");
    }

    /** The id of the one held message, or null. */
    private static String held(String cfg) throws Exception {
        var json = QueueJson.MAPPER.readTree(MainRunner.run("queue", "list", "--state", "hold", "--json", "-c", cfg)
                .out());
        var messages = json.path("listing").path("messages");
        return messages.isEmpty() ? null : messages.get(0).path("id").asText();
    }

    private static String consoleUrl(String output) {
        var m = Pattern.compile("web console: (http://\\S+/)").matcher(output);
        assertThat(m.find()).as(output).isTrue();
        return m.group(1);
    }

    private static int login(String url, String password) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .POST(HttpRequest.BodyPublishers.ofString("{\"password\":\"" + password + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static long count(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (var s = Files.list(dir)) {
            return s.count();
        }
    }
}
