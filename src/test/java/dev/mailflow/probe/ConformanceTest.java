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
 * {@code mailflow probe HOST --conformance}: the ten SMTP smuggling endings against Mailflow
 * (every one refused or kept as content: all pass) and against a private Postfix (each check
 * gets a verdict, whatever this Postfix version does).
 */
class ConformanceTest {

    @TempDir
    Path tmp;

    @Test
    void mailflowPassesEverySmugglingCheck() throws Exception {
        try (var server = TestServer.start(List.of(), List.of())) {
            var checks = Conformance.run("127.0.0.1", server.port(), "probe.example", "probe@contoso.test",
                    "kate@fabrikam.com", Duration.ofSeconds(10), Duration.ofSeconds(2));
            assertThat(checks).hasSize(10).allSatisfy(c -> assertThat(c.verdict()).as(c.name() + ": " + c.detail())
                    .isEqualTo("pass"));
            assertThat(checks.get(0).detail()).contains("550 5.6.0");
            assertThat(server.delivered("kate@fabrikam.com")).as("a smuggled message never arrives").isEmpty();
        }
    }

    @Test
    void theCommandLineReportAndItsJson() throws Exception {
        try (var server = TestServer.start(List.of(), List.of())) {
            var r = MainRunner.run("probe", "127.0.0.1:" + server.port(), "--conformance", "--to", "kate@fabrikam.com",
                    "--helo", "probe.example", "--timeout", "5");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).contains("intrusive").contains("  pass  smuggling LF.LF").contains("All 10 checks passed.");
            var j = MainRunner.run("probe", "127.0.0.1:" + server.port(), "--conformance", "--to", "kate@fabrikam.com",
                    "--helo", "probe.example", "--timeout", "5", "--json");
            var doc = dev.mailflow.queue.QueueJson.MAPPER.readTree(j.out());
            assertThat(doc.get("conformance")).hasSize(10);
            assertThat(doc.get("conformance").get(0).get("verdict").asText()).isEqualTo("pass");
            assertThat(doc.get("conformance").get(0).get("name").asText()).isEqualTo("smuggling LF.LF");
        }
        var usage = MainRunner.run("probe", "127.0.0.1:2", "--conformance");
        assertThat(usage.code()).isEqualTo(2);
        assertThat(usage.err()).contains("--conformance needs --to ADDRESS");
        int closed = Dnsmasq.freePort();
        var down = MainRunner.run("probe", "127.0.0.1:" + closed, "--conformance", "--to", "a@b.test", "--timeout", "2");
        assertThat(down.code()).isEqualTo(3);
    }

    @Test
    void postfixGetsAVerdictOnEachEnding() throws Exception {
        int port = Dnsmasq.freePort();
        try (var postfix = PostfixPeer.start(tmp.resolve("postfix"), port, "remote.test", List.of("user@remote.test"), 9)) {
            var checks = Conformance.run("127.0.0.1", port, "probe.example", "probe@contoso.test", "user@remote.test",
                    Duration.ofSeconds(10), Duration.ofSeconds(2));
            assertThat(checks).hasSize(10).allSatisfy(c -> assertThat(c.verdict()).isIn("pass", "fail"));
            checks.forEach(c -> System.out.println("postfix conformance: " + c.verdict() + " " + c.name() + ": "
                    + c.detail()));
        }
    }
}
