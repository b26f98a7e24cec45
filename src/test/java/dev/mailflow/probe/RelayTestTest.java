package dev.mailflow.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.testing.Dnsmasq;
import dev.mailflow.testing.MainRunner;
import dev.mailflow.testing.PostfixPeer;
import dev.mailflow.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mailflow probe HOST --relay-test}: Mailflow refuses every form from a stranger; with the
 * client in relay_from it is, rightly, a relay for it; a Postfix whose mynetworks holds the
 * client accepts the foreign recipient too, and the test says so.
 */
class RelayTestTest {

    @TempDir
    Path tmp;

    @Test
    void mailflowRefusesEveryFormFromAStranger() throws Exception {
        try (var server = TestServer.start(List.of(), List.of())) {
            var attempts = RelayTest.run("127.0.0.1", server.port(), "probe.example", "probe@contoso.test",
                    "fabrikam.com", Duration.ofSeconds(10));
            assertThat(attempts).hasSize(6);
            assertThat(attempts.get(0).reply()).startsWith("550 5.7.54");
            assertThat(RelayTest.openRelay(attempts)).isFalse();
            assertThat(attempts).allSatisfy(a -> assertThat(a.verdict()).as(a.form() + " " + a.reply()).isEqualTo("pass"));
            var r = MainRunner.run("probe", "127.0.0.1:" + server.port(), "--relay-test", "--to", "kate@fabrikam.com",
                    "--helo", "probe.example", "--timeout", "5");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).contains("  pass  foreign recipient  RCPT TO:<relaytest@example.com>")
                    .contains("Not an open relay");
        }
        assertThat(MainRunner.run("probe", "127.0.0.1:2", "--relay-test").err()).contains("--relay-test needs --to");
    }

    @Test
    void aClientThatMayRelayIsReportedAsRelaying() throws Exception {
        try (var server = TestServer.start(List.of("relay_from = [\"127.0.0.0/8\"]"), List.of())) {
            var r = MainRunner.run("probe", "127.0.0.1:" + server.port(), "--relay-test", "--to", "kate@fabrikam.com",
                    "--helo", "probe.example", "--timeout", "5", "--json");
            assertThat(r.code()).isEqualTo(1);
            var doc = dev.mailflow.queue.QueueJson.MAPPER.readTree(r.out());
            assertThat(doc.get("openRelay").asBoolean()).isTrue();
            assertThat(doc.get("relay").get(0).get("verdict").asText()).isEqualTo("fail");
        }
    }

    @Test
    void postfixWithTheClientInMynetworks() throws Exception {
        int port = Dnsmasq.freePort();
        try (var postfix = PostfixPeer.start(tmp.resolve("postfix"), port, "remote.test", List.of("user@remote.test"), 9)) {
            var attempts = RelayTest.run("127.0.0.1", port, "probe.example", "probe@contoso.test", "remote.test",
                    Duration.ofSeconds(10));
            attempts.forEach(a -> System.out.println("postfix relay: " + a.verdict() + " " + a.form() + " <"
                    + a.recipient() + "> " + a.reply()));
            assertThat(attempts).hasSize(6).allSatisfy(a -> assertThat(a.reply()).matches("[245]\\d\\d .*"));
        }
    }
}
