package dev.mailflow.probe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailflow.auth.dkim.DkimAlgorithm;
import dev.mailflow.auth.dkim.DkimKeyGenerator;
import dev.mailflow.auth.dkim.DkimSigner;
import dev.mailflow.auth.dkim.DkimSigningKey;
import dev.mailflow.testing.Dnsmasq;
import dev.mailflow.testing.FakeDnsServer;
import dev.mailflow.testing.MainRunner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mailflow auth} on its exit codes and its output, with a real DNS server on loopback
 * (dnsmasq) holding SPF and DKIM records: SPF alone and with the null sender, a DKIM-signed
 * message from standard input and from a file, and what a changed header or body byte, a
 * missing key and a silent DNS server give; usage errors in one line, never a stack trace.
 */
class AuthCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static Dnsmasq dns;
    static String server;
    static DkimSigner signer;

    @BeforeAll
    static void start() throws Exception {
        var pair = DkimKeyGenerator.ed25519();
        signer = new DkimSigner(new DkimSigningKey("contoso.test", "e2026", pair.getPrivate(), DkimAlgorithm.ED25519_SHA256));
        var records = new ArrayList<>(List.of(
                "--txt-record=contoso.test,v=spf1 ip4:192.0.2.0/24 include:_spf.partner.test -all",
                "--txt-record=_spf.partner.test,v=spf1 ip6:2001:db8::/32 ~all",
                "--txt-record=mail.contoso.test,v=spf1 a -all",
                "--host-record=mail.contoso.test,192.0.2.25",
                "--txt-record=broken.test,v=spf1 ip4:192.0.2.300 -all",
                "--txt-record=e2026._domainkey.contoso.test,"
                        + String.join(",", DkimKeyGenerator.txtStrings(DkimKeyGenerator.keyRecord(pair.getPublic())))));
        dns = Dnsmasq.start(Dnsmasq.freePort(), records, dir.resolve("dnsmasq.log"));
        server = "127.0.0.1:" + dns.port();
    }

    @AfterAll
    static void stop() throws Exception {
        if (dns != null) {
            dns.close();
        }
    }

    private static MainRunner.Result auth(String... args) {
        return authWithInput("", args);
    }

    private static MainRunner.Result authWithInput(String stdin, String... args) {
        var all = new ArrayList<>(List.of("auth", "--dns-server", server, "--hostname", "mx.example.test"));
        all.addAll(List.of(args));
        return MainRunner.runWithInput(stdin, all.toArray(String[]::new));
    }

    private static JsonNode json(MainRunner.Result r) throws Exception {
        assertThat(r.err()).isEmpty();
        return JSON.readTree(r.out());
    }

    private static byte[] message() {
        return ("From: Chris <chris@contoso.test>\r\nTo: kate@example.test\r\nSubject: Quarterly figures\r\n"
                + "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\nMessage-ID: <q1@contoso.test>\r\n\r\n"
                + "The figures are attached.\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void spfPassNamesTheMechanismAndTheRecordAndExitsZero() {
        var r = auth("--ip", "192.0.2.7", "--helo", "mail.contoso.test", "--from", "chris@contoso.test");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("SPF    pass")
                .contains("192.0.2.7 matched ip4:192.0.2.0/24 in the SPF record of contoso.test")
                .contains("record:  v=spf1 ip4:192.0.2.0/24 include:_spf.partner.test -all")
                .contains("(no --message: DKIM, ARC and DMARC need the message)")
                .contains("Authentication-Results: mx.example.test;\n\tspf=pass (")
                .contains("smtp.mailfrom=chris@contoso.test")
                .contains("Result: PASSED");
    }

    @Test
    void spfFailThroughAnIncludeAndPermerrorExitOne() throws Exception {
        var fail = json(auth("--ip", "198.51.100.1", "--helo", "x.test", "--from", "chris@contoso.test", "--json"));
        assertThat(fail.path("spf").path("result").asText()).isEqualTo("fail");
        assertThat(fail.path("spf").path("mechanism").asText()).isEqualTo("-all");
        assertThat(fail.path("passed").asBoolean()).isFalse();
        var viaInclude = json(auth("--ip", "2001:db8::7", "--helo", "x.test", "--from", "chris@contoso.test", "--json"));
        assertThat(viaInclude.path("spf").path("result").asText()).isEqualTo("pass");
        assertThat(viaInclude.path("spf").path("mechanism").asText()).isEqualTo("include:_spf.partner.test");
        assertThat(viaInclude.path("spf").path("dns_lookups").asInt()).isEqualTo(1);
        var outside = auth("--ip", "2001:db9::7", "--helo", "x.test", "--from", "chris@contoso.test", "--json");
        assertThat(outside.code()).isEqualTo(1);
        var spf = json(outside).path("spf");
        assertThat(spf.path("result").asText()).isEqualTo("fail");
        assertThat(spf.path("trace").toString()).contains("_spf.partner.test");
        var broken = auth("--ip", "192.0.2.7", "--helo", "x.test", "--from", "a@broken.test");
        assertThat(broken.code()).isEqualTo(1);
        assertThat(broken.out()).contains("SPF    permerror").contains("192.0.2.300 is not an IPv4 address");
    }

    @Test
    void theNullSenderChecksTheHeloName() throws Exception {
        var r = auth("--ip", "192.0.2.25", "--helo", "mail.contoso.test", "--from", "<>", "--json");
        assertThat(r.code()).isZero();
        var j = json(r);
        assertThat(j.path("spf").path("identity").asText()).isEqualTo("helo");
        assertThat(j.path("spf").path("domain").asText()).isEqualTo("mail.contoso.test");
        assertThat(j.path("authentication_results").asText()).contains("smtp.helo=mail.contoso.test");
        var empty = json(auth("--ip", "192.0.2.99", "--helo", "mail.contoso.test", "--from=", "--json"));
        assertThat(empty.path("spf").path("result").asText()).isEqualTo("fail");
    }

    @Test
    void aSignedMessageFromStandardInputPassesWithTheJsonOfTheIssue() throws Exception {
        var signed = new String(signer.sign(message()), StandardCharsets.ISO_8859_1);
        var r = authWithInput(signed, "--ip", "192.0.2.7", "--helo", "mail.contoso.test", "--from", "chris@contoso.test",
                "--message", "-", "--json");
        var j = json(r);
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(j.path("spf").path("result").asText()).isEqualTo("pass");
        var dkim = j.path("dkim");
        assertThat(dkim).hasSize(1);
        assertThat(dkim.get(0).path("domain").asText()).isEqualTo("contoso.test");
        assertThat(dkim.get(0).path("selector").asText()).isEqualTo("e2026");
        assertThat(dkim.get(0).path("result").asText()).isEqualTo("pass");
        assertThat(j.path("dmarc").has("result")).isTrue();
        assertThat(j.path("dmarc").has("policy")).isTrue();
        assertThat(j.path("arc").path("result").asText()).isEqualTo("none");
        assertThat(j.path("authentication_results").asText()).startsWith("Authentication-Results: mx.example.test; spf=pass")
                .contains("dkim=pass").contains("header.d=contoso.test header.s=e2026").contains("arc=none");
    }

    @Test
    void whyASignatureFailsBodyHeaderAndMissingKey() throws Exception {
        String signed = new String(signer.sign(message()), StandardCharsets.ISO_8859_1);
        Path body = dir.resolve("body.eml");
        Files.writeString(body, signed.replace("figures are attached", "figures are attacked"), StandardCharsets.ISO_8859_1);
        var r = auth("--ip", "192.0.2.7", "--helo", "mail.contoso.test", "--from", "chris@contoso.test",
                "--message", body.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("DKIM   fail       d=contoso.test s=e2026 a=ed25519-sha256")
                .contains("body hash mismatch").contains("Result: FAILED");
        Path header = dir.resolve("header.eml");
        Files.writeString(header, signed.replace("Subject: Quarterly figures", "Subject: Quarterly figures!"),
                StandardCharsets.ISO_8859_1);
        var h = json(auth("--ip", "192.0.2.7", "--helo", "h", "--from", "chris@contoso.test", "--message",
                header.toString(), "--json"));
        assertThat(h.path("dkim").get(0).path("reason").asText()).isEqualTo("signature_mismatch");
        assertThat(h.path("dkim").get(0).path("explanation").asText()).contains("header field was changed");
        Path noKey = dir.resolve("nokey.eml");
        Files.writeString(noKey, signed.replace("s=e2026", "s=gone"), StandardCharsets.ISO_8859_1);
        var k = json(auth("--ip", "192.0.2.7", "--helo", "h", "--from", "chris@contoso.test", "--message",
                noKey.toString(), "--json"));
        assertThat(k.path("dkim").get(0).path("result").asText()).isEqualTo("permerror");
        assertThat(k.path("dkim").get(0).path("explanation").asText())
                .contains("key not found").contains("gone._domainkey.contoso.test");
        assertThat(k.path("passed").asBoolean()).isFalse();
    }

    @Test
    void aDnsServerThatDoesNotAnswerIsATemperrorWithinSeconds() throws Exception {
        try (var silent = FakeDnsServer.silent()) {
            long start = System.nanoTime();
            var r = MainRunner.run("auth", "--ip", "192.0.2.7", "--helo", "h.test", "--from", "a@contoso.test",
                    "--dns-server", silent.address());
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.out()).contains("SPF    temperror").contains(silent.address() + " did not answer the TXT query "
                    + "for contoso.test within 3 s (2 tries)");
            assertThat(seconds).isLessThan(10);
        }
    }

    @Test
    void usageErrorsAreOneLineAndExitTwo() throws Exception {
        Path directory = Files.createDirectories(dir.resolve("a-directory"));
        String[][] cases = {
            {"auth", "--ip", "999.1.1.1", "--helo", "h", "--from", "a@b.test"},
            {"auth", "--ip", "mail.example.com", "--helo", "h", "--from", "a@b.test"},
            {"auth", "--ip", "192.0.2.1", "--from", "a@b.test"},
            {"auth", "--ip", "192.0.2.1", "--helo", "h", "--from", "a@b.test", "--message", dir.resolve("none.eml").toString()},
            {"auth", "--ip", "192.0.2.1", "--helo", "h", "--from", "a@b.test", "--message", directory.toString()},
            {"auth", "--ip", "192.0.2.1", "--helo", "h", "--from", "a@b.test", "--dns-server", "127.0.0.1:99999"},
            {"auth", "--ip", "192.0.2.1", "--helo", "h", "--from", "a@b.test", "--timeout", "soon"},
            {"auth", "--ip", "192.0.2.1", "--helo", "h", "--from", "a@b.test", "--hostname", "not a name"},
            {"auth", "--ip", "192.0.2.1", "--helo", "h", "--from", "chris@"},
            {"auth", "--ip", "192.0.2.1", "--helo", "h", "--from", "nodomain"},
        };
        String[] expected = {"--ip 999.1.1.1 is not an IPv4 or IPv6 address",
            "--ip mail.example.com is not an IPv4 or IPv6 address", "Missing required option: '--helo=NAME'",
            "none.eml", "is a directory", "--dns-server: DNS server 127.0.0.1:99999: the port must be a number",
            "--timeout", "--hostname not a name is not a host name", "--from chris@ is not an address",
            "--from nodomain is not an address"};
        for (int i = 0; i < cases.length; i++) {
            var r = MainRunner.run(cases[i]);
            assertThat(r.code()).as(String.join(" ", cases[i])).isEqualTo(2);
            String first = r.err().lines().findFirst().orElse("");
            assertThat(first).startsWith("mailflow: ").contains(expected[i]);
            assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
            assertThat(r.out()).isEmpty();
        }
    }

    @Test
    void helpSaysWhatItDoes() {
        var r = MainRunner.run("auth", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Check a message's email authentication as a receiving server would")
                .contains("--message").contains("Authentication-Results").contains("Exit codes:");
        assertThat(MainRunner.run("--help").out()).contains("auth");
    }
}
