package dev.mailflow.server.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.testing.SmtpTestClient;
import dev.mailflow.testing.TestServer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The limits' and greylisting's replies at the configured counts, through a real server. */
class RateLimitsEndToEndTest {

    @Test
    void messageAndRecipientRatesPerClientAddress() throws Exception {
        try (var server = TestServer.start(List.of("max_message_rate = 2", "max_recipient_rate = 3"), List.of())) {
            try (var c = new SmtpTestClient(server.port())) {
                c.reply();
                c.send("EHLO client.example");
                assertThat(c.send("MAIL FROM:<chris@contoso.com>").get(0)).startsWith("250");
                assertThat(c.send("RCPT TO:<kate@fabrikam.com>").get(0)).startsWith("250");
                assertThat(c.send("RCPT TO:<kate@fabrikam.com>").get(0)).startsWith("250");
                assertThat(c.send("RCPT TO:<kate@fabrikam.com>").get(0)).startsWith("250");
                assertThat(c.send("RCPT TO:<kate@fabrikam.com>").get(0))
                        .isEqualTo("452 4.5.3 Too many recipients from [127.0.0.1]: limit 3 per hour, try again later");
                c.send("RSET");
                assertThat(c.send("MAIL FROM:<chris@contoso.com>").get(0)).startsWith("250");
                c.send("RSET");
                assertThat(c.send("MAIL FROM:<chris@contoso.com>").get(0))
                        .isEqualTo("450 4.7.0 Too many messages from [127.0.0.1]: limit 2 per hour, try again later");
            }
            try (var c = new SmtpTestClient("127.0.0.2", server.port())) {
                c.reply();
                c.send("EHLO client.example");
                assertThat(c.send("MAIL FROM:<chris@contoso.com>").get(0)).as("another address").startsWith("250");
            }
            var events = dev.mailflow.queue.TrackingLog.search(server.dataDir().resolve("logs"), null,
                    e -> e.event().equals("REJECT"));
            assertThat(events).extracting(dev.mailflow.queue.TrackingEvent::check)
                    .containsExactly("limit recipients per IP per hour (3)", "limit messages per IP per hour (2)");
        }
    }

    @Test
    void connectionRatePerMinuteAndTarpitting() throws Exception {
        var lines = List.of("max_connection_rate = 2", "tarpit_after_errors = 2", "tarpit_delay = \"300ms\"");
        try (var server = TestServer.start(lines, List.of())) {
            for (int i = 0; i < 2; i++) {
                try (var c = new SmtpTestClient(server.port())) {
                    assertThat(c.reply().get(0)).startsWith("220");
                }
            }
            try (var c = new SmtpTestClient(server.port())) {
                assertThat(c.reply().get(0)).isEqualTo("421 4.7.0 " + TestServer.HOSTNAME
                        + " Too many connections from [127.0.0.1]: limit 2 per minute, try again later");
            }
            try (var c = new SmtpTestClient("127.0.0.3", server.port())) {
                assertThat(c.reply().get(0)).startsWith("220");
                c.send("EHLO client.example");
                long t0 = System.nanoTime();
                c.send("FROB");
                c.send("FROB");
                long twoErrors = System.nanoTime() - t0;
                t0 = System.nanoTime();
                assertThat(c.send("NOOP").get(0)).startsWith("250");
                long tarpitted = System.nanoTime() - t0;
                assertThat(tarpitted).as("a reply after two errors waits").isGreaterThanOrEqualTo(300_000_000L);
                assertThat(twoErrors).as("the first two errors do not").isLessThan(300_000_000L);
            }
        }
    }

    @Test
    void greylistingWithARealDelayAndARestart() throws Exception {
        var lines = List.of("greylisting = true", "greylist_delay = \"1s\"");
        java.nio.file.Path data;
        try (var server = TestServer.start(lines, List.of())) {
            data = server.dataDir();
            try (var c = new SmtpTestClient(server.port())) {
                c.reply();
                c.send("EHLO client.example");
                c.send("MAIL FROM:<chris@contoso.com>");
                assertThat(c.send("RCPT TO:<kate@fabrikam.com>").get(0)).matches("451 4\\.7\\.1 Greylisted, try again in 1 seconds");
                assertThat(c.send("RCPT TO:<kate@fabrikam.com>").get(0)).as("too soon").startsWith("451 4.7.1");
                assertThat(c.send("RCPT TO:<nobody@fabrikam.com>").get(0)).as("unknown users are refused at once")
                        .startsWith("550 5.1.1");
                Thread.sleep(1200);
                assertThat(c.send("RCPT TO:<kate@fabrikam.com>").get(0)).startsWith("250");
            }
            try (var c = new SmtpTestClient("127.0.0.9", server.port())) {
                c.reply();
                c.send("EHLO client.example");
                c.send("MAIL FROM:<chris@contoso.com>");
                assertThat(c.send("RCPT TO:<kate@fabrikam.com>").get(0)).as("another address of the same /24")
                        .startsWith("250");
            }
            var events = dev.mailflow.queue.TrackingLog.search(data.resolve("logs"), null,
                    e -> e.event().equals("REJECT") && "greylist".equals(e.reason()));
            assertThat(events).hasSize(2);
        }
        assertThat(java.nio.file.Files.readString(data.resolve("greylist").resolve("triplets.journal")))
                .contains("kate%40fabrikam.com");
    }
}
