package dev.mailflow.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.testing.MainRunner;
import dev.mailflow.testing.SmtpTestClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inbound path end to end as the seeds end it ("verify that the recipient received the
 * message"), and the operator's commands on it: track, queue list/show/hold/release/retry/delete,
 * both through a running server and on the files.
 */
class QueueAndTrackCommandsTest {

    @TempDir
    Path dir;

    private Path writeConfig() throws Exception {
        Path config = dir.resolve("mailflow.toml");
        Files.writeString(config, """
                hostname = "mail1.fabrikam.com"
                data_dir = "data"

                [[receive_connector]]
                name = "Default Frontend"
                bind = "127.0.0.1:0"

                [[accepted_domain]]
                name = "fabrikam.com"

                [[mailbox]]
                address = "kate@fabrikam.com"

                [[mailbox]]
                address = "full@fabrikam.com"
                quota = 10

                [queue]
                retry_intervals = ["1h"]

                [delivery]
                dns_server = "127.0.0.1:9"

                [web]
                enabled = false
                """);
        return config;
    }

    @Test
    void referenceSessionEndsInKatesMaildirWithTraceHeadersWithinASecond() throws Exception {
        Path config = writeConfig();
        try (var runtime = MailflowRuntime.start(ConfigLoader.load(config), Clock.systemDefaultZone());
             var c = new SmtpTestClient(runtime.server().connectors().get(0).boundAddress().getPort())) {
            c.reply();
            c.send("EHLO contoso.com");
            c.send("MAIL FROM: <chris@contoso.com>");
            c.send("RCPT TO: <kate@fabrikam.com> NOTIFY=success,failure");
            c.send("DATA");
            String queued = c.send("Subject: test\r\n\r\nThis is a test message.\r\n.").get(0);
            long acknowledged = System.nanoTime();
            String id = queued.replaceAll(".*InternalId=(\\d+),.*", "$1");
            Path newDir = dir.resolve("data/mailboxes/fabrikam.com/kate/new");
            while (count(newDir) == 0 && System.nanoTime() - acknowledged < Duration.ofSeconds(20).toNanos()) {
                Thread.sleep(5);
            }
            assertThat(count(newDir)).as("delivered").isEqualTo(1);
            Path file;
            try (Stream<Path> files = Files.list(newDir)) {
                file = files.findFirst().orElseThrow();
            }
            String text = Files.readString(file, StandardCharsets.UTF_8);
            assertThat(text).startsWith("Return-Path: <chris@contoso.com>\r\nDelivered-To: kate@fabrikam.com\r\n"
                    + "Received: from contoso.com ([127.0.0.1])\r\n\tby mail1.fabrikam.com with ESMTP id " + id
                    + "\r\n\tfor <kate@fabrikam.com>; ");
            assertThat(text).endsWith("Subject: test\r\n\r\nThis is a test message.\r\n");

            var track = MainRunner.run("track", "-c", config.toString(), "--recipient", "kate@fabrikam.com");
            assertThat(track.code()).isZero();
            assertThat(track.out()).containsPattern("RECEIVE\\s+" + id + "\\s+chris@contoso\\.com\\s+kate@fabrikam\\.com")
                    .containsPattern("DELIVER\\s+" + id + "\\s+chris@contoso\\.com\\s+kate@fabrikam\\.com\\s+2\\.0\\.0");
            // The success notice's event is written after the delivery: wait for it.
            var json = dev.mailflow.testing.Await.until("RECEIVE, DELIVER and DSN events",
                    () -> MainRunner.run("track", "-c", config.toString(), "--id", id, "--json"),
                    r -> r.out().contains("\"event\":\"DSN\""));
            // RECEIVE, DELIVER, and the success notice NOTIFY=success asked for
            assertThat(json.out().lines()).hasSize(3).allMatch(l -> l.startsWith("{") && l.contains("\"id\":" + id));
            assertThat(json.out()).contains("\"event\":\"DSN\"").contains("success notice");
            var none = MainRunner.run("track", "-c", config.toString(), "--sender", "nobody@nowhere.test");
            assertThat(none.code()).isEqualTo(1);
        }
    }

    @Test
    void queueCommandsThroughTheRunningServerAndOnTheFiles() throws Exception {
        Path config = writeConfig();
        String cfg = config.toString();
        String id;
        try (var runtime = MailflowRuntime.start(ConfigLoader.load(config), Clock.systemDefaultZone());
             var c = new SmtpTestClient(runtime.server().connectors().get(0).boundAddress().getPort())) {
            c.reply();
            String reply = c.sendMessage("chris@contoso.com", "full@fabrikam.com", "Subject: big\r\n\r\nbody");
            id = reply.replaceAll(".*InternalId=(\\d+),.*", "$1");
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!Files.exists(dir.resolve("data/queue/deferred/" + id + ".json")) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            var list = MainRunner.run("queue", "-c", cfg, "list");
            assertThat(list.code()).isZero();
            assertThat(list.out()).contains("Queue: active 0, deferred 1, hold 0, corrupt 0")
                    .containsPattern(id + "\\s+deferred\\s+\\d+s\\s+\\d+\\s+<chris@contoso\\.com> -> full@fabrikam\\.com")
                    .contains("last error: Mailbox full: full@fabrikam.com");
            var show = MainRunner.run("queue", "show", id, "-c", cfg);
            assertThat(show.out()).contains("full@fabrikam.com: pending 4.2.2 Mailbox full").contains("Subject: big")
                    .contains("4.2.2: Persistent transient failure / Mailbox status / Mailbox full")
                    // the checks on arrival (nothing answers DNS here: SPF could not finish)
                    .contains("  authentication:").containsPattern("    SPF    temperror  contoso\\.com mailfrom: ")
                    .contains("    DKIM   none       the message is not signed");
            assertThat(MainRunner.run("queue", "hold", id, "-c", cfg).out()).contains("is on hold");
            assertThat(MainRunner.run("queue", "list", "--state", "hold", "-c", cfg).out()).contains(id);
            var retryHeld = MainRunner.run("queue", "retry", id, "-c", cfg);
            assertThat(retryHeld.code()).isEqualTo(1);
            assertThat(retryHeld.err()).contains("release it first");
            assertThat(MainRunner.run("queue", "release", id, "-c", cfg).code()).isZero();
            assertThat(MainRunner.run("queue", "retry", "--all", "-c", cfg).code()).isZero();
            var json = MainRunner.run("queue", "list", "--json", "-c", cfg);
            assertThat(json.out()).contains("\"ok\" : true").contains("\"id\" : " + id);
            assertThat(MainRunner.run("queue", "retry", "-c", cfg).code()).as("retry without an id").isEqualTo(2);
        }
        // No server: the command works on the files under the data directory lock.
        var offline = MainRunner.run("queue", "list", "-c", cfg);
        assertThat(offline.code()).isZero();
        assertThat(offline.out()).contains(id);
        assertThat(MainRunner.run("queue", "list", "--after", id, "-c", cfg).out()).as("the page after the last")
                .contains("(no messages)");
        var negative = MainRunner.run("queue", "list", "--limit", "-1", "-c", cfg);
        assertThat(negative.code()).isEqualTo(2);
        assertThat(negative.err()).contains("--limit: a number of messages, 0 or more");
        assertThat(MainRunner.run("queue", "delete", id, "-c", cfg).out()).contains("deleted");
        assertThat(MainRunner.run("queue", "list", "-c", cfg).out()).contains("(no messages)");
        var missing = MainRunner.run("queue", "show", "12345", "-c", cfg);
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("no message 12345");
    }

    @Test
    void aSecondServerOnTheSameDataDirectoryIsRefused() throws Exception {
        Path config = writeConfig();
        try (var runtime = MailflowRuntime.start(ConfigLoader.load(config), Clock.systemDefaultZone())) {
            var second = MainRunner.run("serve", "-c", config.toString());
            assertThat(second.code()).isEqualTo(2);
            assertThat(second.err()).contains("another Mailflow server is using the data directory");
        }
    }

    private static long count(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }
}
