package dev.mailflow.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.testing.MainRunner;
import dev.mailflow.testing.ServerProcess;
import dev.mailflow.testing.SmtpTestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGHUP and {@code mailflow reload} on a real server process: a mailbox added to the file is
 * accepted by the sessions that start after the reload, a session open across it keeps
 * working with what it started with, a broken file is refused and the old configuration
 * still serves, and a changed listener is named as needing a restart.
 */
class ConfigReloadTest {

    @TempDir
    Path dir;

    private static final String BASE = """
            hostname = "mail.example.test"
            data_dir = "data"

            [[receive_connector]]
            name = "Inbound"
            bind = "127.0.0.1:0"
            %s

            [[accepted_domain]]
            name = "example.test"

            [[mailbox]]
            address = "postmaster@example.test"
            %s

            [web]
            enabled = false

            # loopback only: the SPF checks of received mail ask a port where nothing answers
            [delivery]
            dns_server = "127.0.0.1:9"
            """;

    private Path write(String connectorLines, String moreTables) throws Exception {
        return Files.writeString(dir.resolve("mailflow.toml"), BASE.formatted(connectorLines, moreTables));
    }

    private static String rcpt(int port, String address) throws Exception {
        try (var c = new SmtpTestClient(port)) {
            c.reply();
            c.send("EHLO client.test");
            c.send("MAIL FROM:<chris@contoso.com>");
            return c.send("RCPT TO:<" + address + ">").get(0);
        }
    }

    private static void awaitOutput(ServerProcess server, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!server.output().contains(text) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(server.output()).contains(text);
    }

    private static void hangup(ServerProcess server) throws Exception {
        var kill = new ProcessBuilder("kill", "-HUP", String.valueOf(server.pid())).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aMailboxAddedToTheFileIsAcceptedAfterSighupAndReload() throws Exception {
        Path config = write("", "");
        try (var server = ServerProcess.start(config)) {
            int port = server.port("Inbound");
            assertThat(rcpt(port, "bob@example.test")).isEqualTo("550 5.1.1 User unknown");

            try (var open = new SmtpTestClient(port)) {
                open.reply();
                open.send("EHLO client.test");
                assertThat(open.send("MAIL FROM:<chris@contoso.com>").get(0)).startsWith("250");

                write("max_recipients = 50", "[[mailbox]]\naddress = \"bob@example.test\"\n");
                hangup(server);
                awaitOutput(server, "reload: mailbox bob@example.test added");
                assertThat(server.output()).contains("reload: connector \"Inbound\" max_recipients 200 -> 50");
                assertThat(rcpt(port, "bob@example.test")).isEqualTo("250 2.1.5 Recipient OK");

                // The session open across the reload goes on with the directory it started with.
                assertThat(open.send("RCPT TO:<bob@example.test>").get(0)).isEqualTo("550 5.1.1 User unknown");
                assertThat(open.send("RCPT TO:<postmaster@example.test>").get(0)).isEqualTo("250 2.1.5 Recipient OK");
                assertThat(open.send("DATA").get(0)).startsWith("354");
                assertThat(open.send("Subject: across a reload\r\n\r\nstill here\r\n.").get(0)).startsWith("250 2.6.0");
                assertThat(open.send("QUIT").get(0)).startsWith("221");
            }

            write("max_recipients = 50", "[[mailbox]]\naddress = \"bob@example.test\"\n"
                    + "[[mailbox]]\naddress = \"carol@example.test\"\n");
            var reload = MainRunner.run("reload", "--config", config.toString());
            assertThat(reload.code()).as(reload.err()).isZero();
            assertThat(reload.out()).isEqualTo("mailflow: reloaded " + config + "\n"
                    + "  mailbox carol@example.test added\n");
            assertThat(rcpt(port, "carol@example.test")).isEqualTo("250 2.1.5 Recipient OK");

            var again = MainRunner.run("reload", "--config", config.toString());
            assertThat(again.out()).isEqualTo("mailflow: reloaded " + config + ": nothing changed\n");
            assertThat(server.stop()).as("exit code after SIGTERM").isZero();
        }
    }

    @Test
    void aBrokenFileIsRefusedAndTheOldConfigurationServes() throws Exception {
        Path config = write("", "[[mailbox]]\naddress = \"bob@example.test\"\n");
        try (var server = ServerProcess.start(config)) {
            int port = server.port("Inbound");
            write("max_recipients = 0", "");
            var reload = MainRunner.run("reload", "--config", config.toString());
            assertThat(reload.code()).isEqualTo(2);
            assertThat(reload.err()).isEqualTo("mailflow: " + config
                    + ":7: receive_connector[1].max_recipients: 0 must be at least 1\n"
                    + "mailflow: not reloaded; the server keeps its running configuration\n");
            assertThat(reload.out()).isEmpty();

            hangup(server);
            awaitOutput(server, "reload refused, the running configuration stays: " + config
                    + ":7: receive_connector[1].max_recipients: 0 must be at least 1");
            assertThat(rcpt(port, "bob@example.test")).isEqualTo("250 2.1.5 Recipient OK");

            Files.writeString(config, "hostname = \n");
            var syntax = MainRunner.run("reload", "--config", config.toString());
            assertThat(syntax.code()).isEqualTo(2);
            assertThat(syntax.err()).contains(config + ":1: TOML syntax").contains("not reloaded");
            assertThat(rcpt(port, "bob@example.test")).isEqualTo("250 2.1.5 Recipient OK");
            assertThat(server.stop()).as("exit code after SIGTERM").isZero();
        }
    }

    @Test
    void aListenerChangeNeedsARestartAndTheOldOneStays() throws Exception {
        Path config = write("", "");
        try (var server = ServerProcess.start(config)) {
            int port = server.port("Inbound");
            Files.writeString(config, BASE.formatted("", "").replace("127.0.0.1:0", "127.0.0.1:" + (port == 65535 ? 1 : port + 1))
                    .replace("hostname = \"mail.example.test\"", "hostname = \"mx.example.test\""));
            var reload = MainRunner.run("reload", "--config", config.toString());
            assertThat(reload.code()).as(reload.err()).isZero();
            assertThat(reload.out()).contains("  hostname \"mail.example.test\" -> \"mx.example.test\": needs a restart, "
                    + "kept as it was\n").contains("  connector \"Inbound\" bind 127.0.0.1:0 -> 127.0.0.1:");
            try (var c = new SmtpTestClient(port)) {
                assertThat(c.reply().get(0)).startsWith("220 mail.example.test ");
            }
            assertThat(server.stop()).as("exit code after SIGTERM").isZero();
        }
    }

    @Test
    void withNoServerRunningReloadSaysSo() throws Exception {
        Path config = write("", "");
        var r = MainRunner.run("reload", "--config", config.toString());
        assertThat(r.code()).isEqualTo(3);
        assertThat(r.err()).isEqualTo("mailflow: no Mailflow server is running with the data directory "
                + dir.resolve("data") + " (nothing to reload; mailflow serve starts one)\n");
        assertThat(Files.exists(dir.resolve("data"))).as("reload creates nothing").isFalse();
    }
}
