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
 * {@code mailflow probe HOST --conformance}: the ten SMTP smuggling endings and the nine protocol
 * checks (bare LF, long lines, PIPELINING, BDAT, DSN, SMTPUTF8, unknown parameters) against
 * Mailflow (all pass) and against a private Postfix (the verdicts this Debian Postfix earns).
 */
class ConformanceTest {

    @TempDir
    Path tmp;

    @Test
    void mailflowPassesEverySmugglingCheck() throws Exception {
        try (var server = TestServer.start(List.of(), List.of())) {
            var checks = Conformance.run("127.0.0.1", server.port(), "probe.example", "probe@contoso.test",
                    "kate@fabrikam.com", Duration.ofSeconds(10), Duration.ofSeconds(2));
            checks.forEach(c -> System.out.println("mailflow conformance: " + c.verdict() + " " + c.name() + ": "
                    + c.detail()));
            assertThat(checks).hasSize(19).allSatisfy(c -> assertThat(c.verdict()).as(c.name() + ": " + c.detail())
                    .isEqualTo("pass"));
            assertThat(checks.get(0).detail()).contains("550 5.6.0");
            // The one message that arrives is the BDAT check's, its dot line kept as content;
            // no smuggled message ever does.
            var arrived = server.awaitDelivered("kate@fabrikam.com", 1, Duration.ofSeconds(20));
            Thread.sleep(500);
            assertThat(server.delivered("kate@fabrikam.com")).hasSize(1);
            assertThat(java.nio.file.Files.readString(arrived.get(0)))
                    .contains("Subject: Mailflow conformance check, BDAT framing")
                    .contains("A dot line follows, inside the chunk:\r\n.\r\nNOOP");
        }
    }

    @Test
    void theCommandLineReportAndItsJson() throws Exception {
        try (var server = TestServer.start(List.of(), List.of())) {
            var r = MainRunner.run("probe", "127.0.0.1:" + server.port(), "--conformance", "--to", "kate@fabrikam.com",
                    "--helo", "probe.example", "--timeout", "5");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).contains("intrusive").contains("  pass  smuggling LF.LF").contains("  pass  PIPELINING").contains("All 19 checks passed.");
            var j = MainRunner.run("probe", "127.0.0.1:" + server.port(), "--conformance", "--to", "kate@fabrikam.com",
                    "--helo", "probe.example", "--timeout", "5", "--json");
            var doc = dev.mailflow.queue.QueueJson.MAPPER.readTree(j.out());
            assertThat(doc.get("conformance")).hasSize(19);
            assertThat(doc.get("conformance").get(0).get("verdict").asText()).isEqualTo("pass");
            assertThat(doc.get("conformance").get(0).get("name").asText()).isEqualTo("smuggling LF.LF");
            assertThat(doc.get("conformance").get(0).properties()).extracting(java.util.Map.Entry::getKey)
                    .as("the contract's fields, nothing else").containsExactly("name", "verdict", "detail");
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
            assertThat(checks).hasSize(19);
            // What Postfix has done for many versions; the bare-LF and SMTPUTF8 verdicts depend on
            // its version and settings (smtpd_forbid_bare_newline, smtputf8_enable) and are printed.
            assertThat(checks).filteredOn(c -> List.of("PIPELINING", "BDAT framing", "DSN parameters",
                    "unknown MAIL parameter", "command of 1000 octets").contains(c.name()))
                    .hasSize(5).allSatisfy(c -> assertThat(c.verdict()).as(c.name() + ": " + c.detail()).isEqualTo("pass"));
            checks.forEach(c -> System.out.println("postfix conformance: " + c.verdict() + " " + c.name() + ": "
                    + c.detail()));
        }
    }
}
