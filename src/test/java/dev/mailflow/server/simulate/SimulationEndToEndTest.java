package dev.mailflow.server.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.testing.SmtpTestClient;
import dev.mailflow.testing.TestServer;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A simulating connector keeps what it accepts in one mailbox, whoever it was for; delays are real. */
class SimulationEndToEndTest {

    @Test
    void acceptedMailGoesToTheSimulationMailboxNamingItsRecipients() throws Exception {
        try (var server = TestServer.start(List.of("mode = \"simulate\"", "simulate_mailbox = \"kate@fabrikam.com\""),
                List.of())) {
            try (var c = new SmtpTestClient(server.port())) {
                c.reply();
                c.send("EHLO client.example");
                c.send("MAIL FROM:<app@contoso.test>");
                assertThat(c.send("RCPT TO:<someone@gmail.example>").get(0)).startsWith("250");
                long t0 = System.nanoTime();
                assertThat(c.send("RCPT TO:<delay1s@outlook.example>").get(0)).startsWith("250");
                assertThat(System.nanoTime() - t0).as("the delay is real").isGreaterThan(900_000_000L);
                c.send("DATA");
                assertThat(c.send("Subject: for the rig\r\n\r\nhello\r\n.").get(0)).startsWith("250 2.6.0");
            }
            var delivered = server.awaitDelivered("kate@fabrikam.com", 1, Duration.ofSeconds(10));
            assertThat(delivered).hasSize(1);
            assertThat(Files.readString(delivered.get(0)))
                    .contains("X-Mailflow-Simulated-To: <someone@gmail.example>,\r\n\t<delay1s@outlook.example>")
                    .contains("Subject: for the rig");
            var received = dev.mailflow.queue.TrackingLog.search(server.dataDir().resolve("logs"), null,
                    e -> e.event().equals("DELIVER"));
            assertThat(received).singleElement().satisfies(e -> assertThat(e.recipients())
                    .containsExactly("kate@fabrikam.com"));
        }
    }

    @Test
    void theRulesOfLocalParts() {
        assertThat(SimulationRule.of("550-5.1.1")).isEqualTo(new SimulationRule.Reply(550, "5.1.1"));
        assertThat(SimulationRule.of("DATA451_4.3.0-anything")).isEqualTo(new SimulationRule.DataReply(451, "4.3.0"));
        assertThat(SimulationRule.of("delay9999s")).isEqualTo(new SimulationRule.Delay(SimulationRule.MAX_DELAY));
        assertThat(SimulationRule.of("tempfail3")).isEqualTo(new SimulationRule.TempFail(3));
        assertThat(SimulationRule.of("disconnect")).isEqualTo(new SimulationRule.Disconnect());
        for (String none : List.of("kate", "250-2.0.0", "550-4.1.1", "delays", "600-5.1.1")) {
            assertThat(SimulationRule.of(none)).as(none).isEqualTo(new SimulationRule.Accept());
        }
    }
}
