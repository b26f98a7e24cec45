package dev.mailflow.probe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailflow.queue.QueueJson;
import dev.mailflow.testing.Dnsmasq;
import dev.mailflow.testing.MainRunner;
import dev.mailflow.testing.PostfixPeer;
import dev.mailflow.testing.ScriptedPeer;
import dev.mailflow.testing.TestServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mailflow probe --round-trip}: the test message goes to a far side with
 * NOTIFY=SUCCESS,FAILURE,DELAY, RET=HDRS and an ENVID, from a return address whose mailbox is
 * a Mailflow receiver the probe starts (--return-listen); the far side's DSN comes back there.
 * The far sides: a second Mailflow (its remote delivery finds the return domain's MX through
 * dnsmasq), Postfix (its DSNs go to its relayhost, the probe's receiver), and a scripted peer
 * without DSN (explained at once, no wait).
 */
class RoundTripTest {

    @TempDir
    static Path tmp;

    static Dnsmasq dns;
    static TestServer farMailflow;
    static int returnPort;

    @BeforeAll
    static void start() throws Exception {
        int dnsPort = Dnsmasq.freePort();
        returnPort = Dnsmasq.freePort();
        dns = Dnsmasq.start(dnsPort, List.of("--mx-host=roundtrip.test,mx.roundtrip.test,10",
                "--mx-host=elsewhere.test,mx.roundtrip.test,10",
                "--host-record=mx.roundtrip.test,127.0.0.1"), tmp.resolve("dnsmasq.log"));
        // gone@fabrikam.com forwards to elsewhere.test, whose MX is the probe's receiver: it
        // refuses to relay, so the far Mailflow sends a "failed" DSN at once.
        farMailflow = TestServer.start(List.of(), List.of("[[alias]]", "address = \"gone@fabrikam.com\"",
                "recipients = [\"nobody@elsewhere.test\"]"), List.of("dns_server = \"127.0.0.1:" + dnsPort + "\"",
                "remote_port = " + returnPort), List.of("retry_intervals = [\"1s\"]"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (farMailflow != null) {
            farMailflow.close();
        }
        if (dns != null) {
            dns.close();
        }
    }

    private static MainRunner.Result probe(String target, String to, String... extra) {
        var args = new ArrayList<>(List.of("probe", target, "--helo", "probe.roundtrip.test", "--from",
                "probe@roundtrip.test", "--to", to, "--round-trip", "--return-listen", "127.0.0.1:" + returnPort,
                "--wait", "60", "--timeout", "10"));
        args.addAll(List.of(extra));
        return MainRunner.run(args.toArray(String[]::new));
    }

    private static JsonNode step(JsonNode report, String name) {
        for (JsonNode s : report.path("steps")) {
            if (s.path("name").asText().equals(name)) {
                return s;
            }
        }
        throw new AssertionError("no step " + name + " in " + report);
    }

    @Test
    void aSecondMailflowReturnsItsDeliveryReport() throws Exception {
        var r = probe("127.0.0.1:" + farMailflow.port(), "kate@fabrikam.com", "--json");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        JsonNode rt = step(QueueJson.MAPPER.readTree(r.out()), "ROUND-TRIP");
        assertThat(rt.path("status").asText()).as(rt.toString()).isEqualTo("PASS");
        JsonNode arrival = rt.path("details").path("arrivals").get(0);
        assertThat(arrival.path("kind").asText()).isEqualTo("dsn");
        assertThat(arrival.path("reportingMta").asText()).isEqualTo("dns; " + TestServer.HOSTNAME);
        assertThat(arrival.path("originalEnvelopeId").asText()).isEqualTo(rt.path("details").path("envid").asText());
        JsonNode rcpt = arrival.path("recipients").get(0);
        assertThat(rcpt.path("action").asText()).isEqualTo("delivered");
        assertThat(rcpt.path("status").asText()).isEqualTo("2.0.0");
        assertThat(rcpt.path("finalRecipient").asText()).isEqualTo("kate@fabrikam.com");
        assertThat(rcpt.path("originalRecipient").asText()).isEqualTo("kate@fabrikam.com");
        assertThat(rt.path("meaning").toString()).contains("The ENVID came back")
                .contains("ORCPT came back as Original-Recipient");
        assertThat(step(QueueJson.MAPPER.readTree(r.out()), "MAIL").path("exchange").toString())
                .contains("RET=HDRS ENVID=mailflow-");
    }

    @Test
    void aFailedDeliveryComesBackAsAFailureWithTheFarSidesReason() throws Exception {
        var r = probe("127.0.0.1:" + farMailflow.port(), "gone@fabrikam.com", "--json");
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(1);
        JsonNode report = QueueJson.MAPPER.readTree(r.out());
        JsonNode rt = step(report, "ROUND-TRIP");
        assertThat(rt.path("status").asText()).as(rt.toString()).isEqualTo("FAIL");
        JsonNode rcpt = rt.path("details").path("arrivals").get(0).path("recipients").get(0);
        assertThat(rcpt.path("action").asText()).isEqualTo("failed");
        assertThat(rcpt.path("status").asText()).startsWith("5.");
        assertThat(rcpt.path("finalRecipient").asText()).isEqualTo("nobody@elsewhere.test");
        assertThat(rcpt.path("originalRecipient").asText()).isEqualTo("gone@fabrikam.com");
        assertThat(rcpt.path("remoteMta").asText()).isEqualTo("dns; mx.roundtrip.test");
        assertThat(rcpt.path("diagnosticCode").asText()).startsWith("smtp; 5");
        var text = probe("127.0.0.1:" + farMailflow.port(), "gone@fabrikam.com");
        assertThat(text.out()).contains("[FAIL] ROUND-TRIP").contains("nobody@elsewhere.test: Action failed");
        System.out.println(text.out());
    }

    @Test
    void postfixReturnsItsDeliveryReportAndTheTextSaysSo() throws Exception {
        int port = Dnsmasq.freePort();
        try (var postfix = PostfixPeer.start(tmp.resolve("postfix"), port, "remote.test", List.of("user@remote.test"),
                returnPort)) {
            var r = probe("127.0.0.1:" + port, "user@remote.test");
            System.out.println(r.out());
            assertThat(r.code()).as(r.out() + r.err()).isZero();
            assertThat(r.out()).contains("[PASS] ROUND-TRIP")
                    .contains("C: RCPT TO:<user@remote.test> NOTIFY=SUCCESS,FAILURE,DELAY ORCPT=rfc822;user@remote.test")
                    .contains("a delivery status notification from")
                    .contains("user@remote.test: Action delivered, Status 2.0.0")
                    .contains("user@remote.test: delivered to the mailbox (2.0.0: ")
                    .contains("The ENVID came back");
        }
    }

    @Test
    void aPeerWithoutDsnIsExplainedWithoutWaiting() throws Exception {
        try (var peer = new ScriptedPeer(new ScriptedPeer.Script() {
            @Override
            public List<String> extensions(int session) {
                return List.of("PIPELINING", "8BITMIME");
            }
        })) {
            long t = System.nanoTime();
            var r = probe("127.0.0.1:" + peer.port(), "user@nodsn.test", "--json");
            assertThat((System.nanoTime() - t) / 1_000_000_000L).isLessThan(30);
            assertThat(r.code()).as(r.out() + r.err()).isZero();
            JsonNode rt = step(QueueJson.MAPPER.readTree(r.out()), "ROUND-TRIP");
            assertThat(rt.path("status").asText()).isEqualTo("WARN");
            assertThat(rt.path("meaning").toString()).contains("does not offer DSN");
            assertThat(peer.commands()).anyMatch(c -> c.equals("MAIL FROM:<probe@roundtrip.test>"))
                    .noneMatch(c -> c.contains("NOTIFY=") || c.contains("ENVID="));
            assertThat(peer.accepted()).hasSize(1);
        }
    }

    @Test
    void theRoundTripsOptionsAreCheckedFirst() {
        var noReturn = MainRunner.run("probe", "127.0.0.1:9", "--round-trip", "--to", "a@b.test", "--from",
                "probe@roundtrip.test");
        assertThat(noReturn.code()).isEqualTo(2);
        assertThat(noReturn.err()).contains("--return-listen HOST:PORT").contains("--return-config FILE");
        var noFrom = MainRunner.run("probe", "127.0.0.1:9", "--round-trip", "--to", "a@b.test", "--return-listen",
                "127.0.0.1:" + returnPort);
        assertThat(noFrom.code()).isEqualTo(2);
        assertThat(noFrom.err()).contains("--round-trip needs --from");
        var alone = MainRunner.run("probe", "127.0.0.1:9", "--return-listen", "127.0.0.1:1");
        assertThat(alone.code()).isEqualTo(2);
        assertThat(alone.err()).contains("go with --round-trip");
        var badBind = MainRunner.run("probe", "127.0.0.1:9", "--round-trip", "--to", "a@b.test", "--from",
                "probe@roundtrip.test", "--return-listen", "not an address");
        assertThat(badBind.code()).isEqualTo(2);
        assertThat(badBind.err()).startsWith("mailflow: --return-listen not an address: ").doesNotContain("Exception");
    }
}
