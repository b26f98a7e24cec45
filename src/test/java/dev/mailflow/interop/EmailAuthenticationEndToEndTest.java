package dev.mailflow.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.auth.dkim.DkimKeyGenerator;
import dev.mailflow.auth.dkim.DkimSigner;
import dev.mailflow.auth.dkim.DkimSigningKey;
import dev.mailflow.queue.QueueState;
import dev.mailflow.testing.Await;
import dev.mailflow.testing.Dnsmasq;
import dev.mailflow.testing.ExternalTool;
import dev.mailflow.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Email authentication of received mail, end to end: swaks sends from 127.0.0.1, the server
 * asks a real DNS server (dnsmasq on a loopback port) for SPF records and DKIM keys, and the
 * delivered message carries Authentication-Results; an enforcing connector refuses, a
 * quarantining one holds.
 */
class EmailAuthenticationEndToEndTest {

    @TempDir
    static Path dir;
    static Dnsmasq dns;
    static KeyPair key;

    @BeforeAll
    static void startDns() throws Exception {
        key = DkimKeyGenerator.ed25519();
        var records = new ArrayList<>(List.of(
                "--txt-record=forged.test,v=spf1 -all",
                "--txt-record=allowed.test,v=spf1 ip4:127.0.0.0/8 -all",
                "--txt-record=signed.test,v=spf1 ip4:127.0.0.0/8 -all",
                "--txt-record=_dmarc.signed.test,v=DMARC1; p=reject",
                "--txt-record=_dmarc.shop.test,v=DMARC1; p=quarantine",
                "--txt-record=s1._domainkey.signed.test,"
                        + String.join(",", DkimKeyGenerator.txtStrings(DkimKeyGenerator.keyRecord(key.getPublic())))));
        dns = Dnsmasq.start(Dnsmasq.freePort(), records, dir.resolve("dnsmasq.log"));
    }

    @AfterAll
    static void stopDns() throws Exception {
        if (dns != null) {
            dns.close();
        }
    }

    private static TestServer server(String mode) throws Exception {
        return TestServer.start(List.of("authentication = \"" + mode + "\""), List.of(),
                List.of("dns_server = \"127.0.0.1:" + dns.port() + "\""), List.of());
    }

    record Run(int code, String output) {
    }

    private static Run swaks(TestServer server, String from, byte[] message) throws Exception {
        Path data = Files.createTempFile(dir, "message", ".eml");
        Files.write(data, message);
        var cmd = List.of(ExternalTool.require("swaks").toString(), "--server", "127.0.0.1", "--port",
                String.valueOf(server.port()), "--ehlo", "client.example", "--from", from, "--to",
                "kate@fabrikam.com", "--data", data.toString(), "--timeout", "20");
        Path out = Files.createTempFile(dir, "swaks", ".txt");
        var p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.ISO_8859_1));
    }

    private static byte[] message(String from, String extraHeaders) {
        return ("From: <" + from + ">\r\nTo: <kate@fabrikam.com>\r\nSubject: checks\r\n"
                + "Date: Wed, 2 Dec 2026 10:00:00 +0000\r\nMessage-ID: <e2e-" + System.nanoTime() + "@client.example>\r\n"
                + extraHeaders + "\r\nHello.\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static String onlyDelivered(TestServer server) throws Exception {
        var delivered = server.awaitDelivered("kate@fabrikam.com", 1, Duration.ofSeconds(20));
        assertThat(delivered).hasSize(1);
        return Files.readString(delivered.get(0), StandardCharsets.UTF_8);
    }

    @Test
    void spfFailIsRecordedAndForgedResultsAreRemoved() throws Exception {
        try (var server = server("record")) {
            var run = swaks(server, "ceo@forged.test", message("ceo@forged.test",
                    "Authentication-Results: mail1.fabrikam.com; spf=pass smtp.mailfrom=ceo@forged.test\r\n"
                            + "Authentication-Results: elsewhere.example;\r\n\tdkim=pass header.d=forged.test\r\n"
                            + "X-Folded: a folded line that looks like a field\r\n Message-ID: <bogus@folded>\r\n"));
            assertThat(run.code()).as(run.output()).isZero();
            // the Message-ID is the real one, not a folded line of another field
            assertThat(run.output()).containsPattern("<-  250 2\\.6\\.0 <e2e-\\d+@client\\.example>");
            String m = onlyDelivered(server);
            // the content queued is the content less the dropped field: nothing follows the body
            assertThat(m).doesNotContain("internalId").endsWith("\r\n\r\nHello.\r\n\r\n"); // swaks adds a CRLF
            assertThat(m).containsPattern("(?m)^Authentication-Results: mail1\\.fabrikam\\.com;\r\n\tspf=fail "
                    + "\\(.*\\) smtp\\.mailfrom=ceo@forged\\.test;\r\n\tdkim=none;\r\n\tdmarc=");
            // the forged one claiming our name is gone; another server's stays
            assertThat(m.split("Authentication-Results: mail1\\.fabrikam\\.com;", -1)).hasSize(2);
            assertThat(m).doesNotContain("spf=pass smtp.mailfrom=ceo@forged.test")
                    .contains("Authentication-Results: elsewhere.example;\r\n\tdkim=pass header.d=forged.test");
            assertThat(m.indexOf("Authentication-Results: mail1")).isGreaterThan(m.indexOf("Received: from"));
            assertThat(server.server().stats().authenticationResults("spf", "fail")).isEqualTo(1);
        }
    }

    @Test
    void dkimSignatureIsCheckedAgainstTheKeyInDns() throws Exception {
        try (var server = server("record")) {
            var signer = new DkimSigner(DkimSigningKey.fromPem("signed.test", "s1", DkimKeyGenerator.privateKeyPem(key)));
            byte[] signed = signer.sign(message("news@signed.test", ""));
            assertThat(swaks(server, "news@signed.test", signed).code()).isZero();
            String m = onlyDelivered(server);
            assertThat(m).contains("spf=pass").containsPattern("dkim=pass \\(.*\\) header\\.d=signed\\.test "
                    + "header\\.s=s1 header\\.a=ed25519-sha256 header\\.b=")
                    .containsPattern("dmarc=pass \\(p=reject dis=none\\) header\\.from=signed\\.test");

            // one body octet changed after signing: the body hash no longer matches
            String tampered = new String(signed, StandardCharsets.US_ASCII).replace("Hello.", "Hallo.");
            assertThat(swaks(server, "news@signed.test", tampered.getBytes(StandardCharsets.US_ASCII)).code()).isZero();
            var both = server.awaitDelivered("kate@fabrikam.com", 2, Duration.ofSeconds(20));
            assertThat(both).hasSize(2);
            String second = Files.readString(both.get(1), StandardCharsets.UTF_8);
            assertThat(second).containsPattern("dkim=fail \\(.*body.*\\) header\\.d=signed\\.test");
        }
    }

    @Test
    void enforcingConnectorRefusesAnSpfFail() throws Exception {
        try (var server = server("enforce")) {
            var run = swaks(server, "ceo@forged.test", message("ceo@forged.test", ""));
            assertThat(run.code()).isNotZero();
            assertThat(run.output()).contains("<** 550 5.7.23 SPF validation failed: forged.test does not designate "
                    + "127.0.0.1 as permitted sender");
            assertThat(server.server().stats().authenticationResults("spf", "fail")).as("refused at MAIL, counted")
                    .isEqualTo(1);
            var allowed = swaks(server, "app@allowed.test", message("app@allowed.test", ""));
            assertThat(allowed.code()).as(allowed.output()).isZero();
            assertThat(onlyDelivered(server)).contains("spf=pass");
        }
    }

    @Test
    void dmarcQuarantineIsHeldUnderEnforce() throws Exception {
        try (var server = server("enforce")) {
            // SPF passes for the envelope's domain; From: is shop.test, which nothing aligns with
            var run = swaks(server, "app@allowed.test", message("offers@shop.test", ""));
            assertThat(run.code()).as(run.output()).isZero();
            var held = Await.until("the message on hold", () -> server.runtime().store().list(QueueState.HOLD),
                    list -> !list.isEmpty());
            assertThat(held.get(0).status().holdReason()).isEqualTo("DMARC fail for shop.test (p=quarantine of shop.test)");
            assertThat(held.get(0).envelope().authentication().dmarc().result()).isEqualTo("fail");
            assertThat(server.server().stats().authenticationResults("dmarc", "fail")).isEqualTo(1);
        }
    }

    @Test
    void aFromFieldDmarcWillNotEvaluateIsHeldUnderEnforce() throws Exception {
        try (var server = server("enforce")) {
            // six domains in From: DMARC evaluates at most five, so p=reject of signed.test would
            // otherwise be bypassed by padding
            byte[] m = ("From: ceo@signed.test, a@d1.test, b@d2.test, c@d3.test, d@d4.test, e@d5.test\r\n"
                    + "To: <kate@fabrikam.com>\r\nSubject: padded\r\n\r\nHello.\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            var run = swaks(server, "app@allowed.test", m);
            assertThat(run.code()).as(run.output()).isZero();
            var held = Await.until("the message on hold", () -> server.runtime().store().list(QueueState.HOLD),
                    list -> !list.isEmpty());
            assertThat(held.get(0).status().holdReason()).startsWith("DMARC could not evaluate the From field: ");
        }
    }

    @Test
    void quarantiningConnectorHoldsAnSpfFail() throws Exception {
        try (var server = server("quarantine")) {
            var run = swaks(server, "ceo@forged.test", message("ceo@forged.test", ""));
            assertThat(run.code()).as(run.output()).isZero();
            var held = Await.until("the message on hold", () -> server.runtime().store().list(QueueState.HOLD),
                    list -> !list.isEmpty());
            assertThat(held).hasSize(1);
            assertThat(held.get(0).status().holdReason()).startsWith("SPF fail: ");
            assertThat(held.get(0).envelope().authentication().spf().result()).isEqualTo("fail");
            assertThat(server.delivered("kate@fabrikam.com")).isEmpty();
        }
    }
}
