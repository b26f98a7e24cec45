package dev.mailflow.probe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailflow.queue.QueueJson;
import dev.mailflow.testing.Dnsmasq;
import dev.mailflow.testing.MainRunner;
import dev.mailflow.testing.PostfixPeer;
import dev.mailflow.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mailflow probe against Mailflow in-process, against Postfix, and through dnsmasq. */
class ProbeCommandTest {

    static TestServer server;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static MainRunner.Result probe(String... args) {
        var all = new ArrayList<String>();
        all.add("probe");
        all.addAll(List.of(args));
        return MainRunner.run(all.toArray(String[]::new));
    }

    static String target() {
        return "127.0.0.1:" + server.port();
    }

    @Test
    void theSeedsSessionPassesEveryStep() throws Exception {
        Path log = tmp.resolve("session.log");
        var r = probe(target(), "--helo", "contoso.com", "--from", "chris@contoso.com", "--to", "kate@fabrikam.com",
                "--notify", "success,failure", "--data", "--log", log.toString(), "--timeout", "10");
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out()).contains("[PASS] BANNER").contains("[PASS] EHLO").contains("[PASS] MAIL")
                .contains("[PASS] RCPT").contains("[PASS] DATA").contains("[PASS] QUIT")
                .contains("S: 250 2.1.0 Sender OK").contains("C: RCPT TO:<kate@fabrikam.com> NOTIFY=SUCCESS,FAILURE")
                .contains("SIZE: messages up to 36.0 MB").contains("Result: PASSED");
        assertThat(Files.readAllLines(log)).contains("C: EHLO contoso.com", "S: 250 2.1.5 Recipient OK");
    }

    @Test
    void jsonHasTheStableSchema() throws Exception {
        var r = probe(target(), "--helo", "contoso.com", "--from", "chris@contoso.com", "--to", "kate@fabrikam.com",
                "--data", "--json");
        assertThat(r.code()).isZero();
        JsonNode j = QueueJson.MAPPER.readTree(r.out());
        assertThat(j.path("schemaVersion").asInt()).isEqualTo(2);
        assertThat(j.path("target").asText()).isEqualTo(target());
        assertThat(j.path("outcome").asText()).isEqualTo("PASSED");
        assertThat(j.path("queueId").asText()).contains("Queued mail for delivery");
        var names = new ArrayList<String>();
        for (JsonNode s : j.path("steps")) {
            names.add(s.path("name").asText());
            assertThat(s.has("status") && s.has("millis") && s.has("exchange") && s.has("meaning")
                    && s.has("reasons") && s.has("details")).isTrue();
        }
        assertThat(names).containsSubsequence("DNS", "CONNECT", "BANNER", "EHLO", "STARTTLS", "MAIL", "RCPT", "DATA",
                "QUIT");
        var tls = j.path("steps").get(names.indexOf("STARTTLS")).path("details");
        assertThat(tls.path("protocol").asText()).startsWith("TLSv1.");
        assertThat(tls.path("subject").asText()).isEqualTo("CN=mail1.fabrikam.com");
    }

    @Test
    void eachFailureOfTheSeedsIsExplained() {
        var badHelo = probe(target(), "--helo", "contoso$com");
        assertThat(badHelo.code()).isEqualTo(1);
        assertThat(badHelo.out()).contains("[FAIL] EHLO").contains("501 5.5.4 Invalid domain name")
                .contains("Invalid characters in the domain name.");

        var badSender = probe(target(), "--from", "chris@@contoso.com", "--to", "kate@fabrikam.com");
        assertThat(badSender.code()).isEqualTo(1);
        assertThat(badSender.out()).contains("[FAIL] MAIL").contains("550 5.1.7 Invalid address")
                .contains("A syntax error in the sender's e-mail address.");

        var anonymous = probe("127.0.0.1:" + server.address(TestServer.SUBMISSION).getPort(), "--from",
                "chris@contoso.com", "--to", "kate@fabrikam.com");
        assertThat(anonymous.code()).isEqualTo(1);
        assertThat(anonymous.out()).contains("530 5.7.1 Client was not authenticated")
                .contains("doesn't accept anonymous message submissions");

        var unknown = probe(target(), "--from", "chris@contoso.com", "--to", "nobody@fabrikam.com");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.out()).contains("[FAIL] RCPT").contains("550 5.1.1 User unknown")
                .contains("The specified recipient doesn't exist.");

        var relay = probe(target(), "--from", "chris@contoso.com", "--to", "someone@elsewhere.example");
        assertThat(relay.out()).contains("550 5.7.54").contains("Relay denied");

        var closed = probe("127.0.0.1:" + Dnsmasq.freePortQuietly(), "--timeout", "3");
        assertThat(closed.code()).isEqualTo(3);
        assertThat(closed.out()).contains("[FAIL] CONNECT").contains("Could not open connection to the host")
                .contains("connection refused").contains("The destination SMTP service is unavailable.")
                .contains("Incorrect port number.");
    }

    @Test
    void authenticatedSubmissionAndQuitAfter() {
        var r = probe("127.0.0.1:" + server.address(TestServer.SUBMISSION).getPort(), "--auth",
                "kate@fabrikam.com:secret", "--from", "kate@fabrikam.com", "--to", "someone@elsewhere.example");
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out()).contains("[PASS] AUTH").contains("235 2.7.0");
        var early = probe(target(), "--quit-after", "EHLO");
        assertThat(early.code()).isZero();
        assertThat(early.out()).contains("[PASS] EHLO").doesNotContain("] MAIL");
    }

    @Test
    void usageErrors() {
        assertThat(probe(target(), "--starttls", "sometimes").code()).isEqualTo(2);
        assertThat(probe(target(), "--quit-after", "LUNCH").code()).isEqualTo(2);
        assertThat(probe(target(), "--dkim-selector", "bad sel").code()).isEqualTo(2);
        assertThat(probe(target(), "--dkim-selector", "").code()).isEqualTo(2);
        assertThat(probe().code()).isEqualTo(2);
    }

    @Test
    void mxLookupThroughDnsmasqAndAServerNobodyHereWrote() throws Exception {
        int dnsPort = Dnsmasq.freePort();
        int postfixPort = Dnsmasq.freePort();
        try (var dns = Dnsmasq.start(dnsPort, List.of("--mx-host=example.test,mx.example.test,10",
                "--txt-record=example.test,v=spf1 mx ptr ~all",
                "--txt-record=_dmarc.example.test,v=DMARC1; p=quarantine; rua=mailto:reports@example.test",
                "--txt-record=s1._domainkey.example.test,v=DKIM1; k=rsa; p=",
                "--host-record=mx.example.test,127.0.0.1", "--mx-host=remote.test,mx.remote.test,10",
                "--host-record=mx.remote.test,127.0.0.1", "--dns-rr=nullmx.test,15,000000"),
                tmp.resolve("dnsmasq.log"));
             var postfix = PostfixPeer.start(tmp.resolve("postfix"), postfixPort, "remote.test",
                     List.of("user@remote.test"), server.port())) {
            // The acceptance line: a domain, its MX found through dnsmasq, a local Mailflow.
            var r = probe("example.test", "--dns-server", "127.0.0.1:" + dnsPort, "--port",
                    String.valueOf(server.port()), "--from", "chris@contoso.com", "--to", "postmaster@example.test",
                    "--data");
            assertThat(r.code()).as(r.out()).isZero();
            assertThat(r.out()).contains("example.test MX preference=10, mail exchanger = mx.example.test")
                    .contains("mx.example.test internet address = 127.0.0.1");
            // The records step, through the same DNS server: it reports and leaves the exit code alone.
            var records = probe("example.test", "--dns-server", "127.0.0.1:" + dnsPort, "--port",
                    String.valueOf(server.port()), "--quit-after", "CONNECT", "--dkim-selector", "s1", "--json");
            assertThat(records.code()).as(records.out()).isZero();
            JsonNode step = null;
            for (JsonNode st : QueueJson.MAPPER.readTree(records.out()).path("steps")) {
                if (st.path("name").asText().equals("RECORDS")) {
                    step = st;
                }
            }
            assertThat(step).as(records.out()).isNotNull();
            assertThat(step.path("status").asText()).isEqualTo("FAIL");
            assertThat(step.path("details").path("spf").path("record").asText()).isEqualTo("v=spf1 mx ptr ~all");
            assertThat(step.path("details").path("spf").path("dnsLookups").asInt()).isEqualTo(2);
            assertThat(step.path("details").path("dmarc").path("policy").asText()).isEqualTo("quarantine");
            assertThat(step.path("details").path("dkim").get(0).path("revoked").asBoolean()).isTrue();
            assertThat(step.path("reasons").toString()).contains("ptr is slow, unreliable and deprecated")
                    .contains("is revoked (empty p=)");
            var text = probe("example.test", "--dns-server", "127.0.0.1:" + dnsPort, "--port",
                    String.valueOf(server.port()), "--quit-after", "CONNECT");
            // --quit-after CONNECT: no SMTP at all after the connection
            assertThat(text.out()).contains("[PASS] CONNECT").doesNotContain("] BANNER").doesNotContain("] MAIL");
            assertThat(text.out()).contains("[WARN] RECORDS").contains("SPF example.test -> v=spf1 mx ptr ~all")
                    .contains("= DMARC: p=quarantine: mail from this domain that fails DMARC is to be treated as "
                            + "suspicious");
            // Postfix as the server under test.
            var p = probe("remote.test", "--dns-server", "127.0.0.1:" + dnsPort, "--port",
                    String.valueOf(postfixPort), "--from", "chris@contoso.com", "--to", "user@remote.test",
                    "--to", "nobody@remote.test");
            assertThat(p.code()).as(p.out()).isEqualTo(1);
            assertThat(p.out()).contains("[PASS] MAIL").contains("550 5.1.1")
                    .contains("The specified recipient doesn't exist.");
            var nullMx = probe("nullmx.test", "--dns-server", "127.0.0.1:" + dnsPort);
            assertThat(nullMx.code()).isEqualTo(3);
            assertThat(nullMx.out()).contains("null MX");
        }
    }

    @Test
    void dnsFailuresNameTheServerAskedAndWhatWentWrong() throws Exception {
        try (var silent = dev.mailflow.testing.FakeDnsServer.silent();
             var refusing = dev.mailflow.testing.FakeDnsServer.answering(org.xbill.DNS.Rcode.REFUSED)) {
            var timedOut = probe("example.net", "--dns-server", silent.address(), "--timeout", "1");
            assertThat(timedOut.code()).isEqualTo(3);
            assertThat(timedOut.out()).contains("[FAIL] DNS")
                    .contains(silent.address() + " did not answer the MX query for example.net within 1 s (2 tries)");
            var refused = probe("example.net", "--dns-server", refusing.address(), "--timeout", "2");
            assertThat(refused.out()).contains(refusing.address() + " refused the MX query for example.net (REFUSED)");
            var host = probe("smtp.example.net:587", "--dns-server", refusing.address(), "--timeout", "2");
            assertThat(host.code()).isEqualTo(3);
            assertThat(host.out()).contains(refusing.address() + " refused the A query for smtp.example.net (REFUSED)");
        }
    }
}
