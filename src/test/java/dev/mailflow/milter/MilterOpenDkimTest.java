package dev.mailflow.milter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.auth.dkim.DkimKeyGenerator;
import dev.mailflow.auth.dkim.DkimKeyLookup;
import dev.mailflow.auth.dkim.DkimPolicy;
import dev.mailflow.auth.dkim.DkimVerifier;
import dev.mailflow.testing.Dnsmasq;
import dev.mailflow.testing.ExternalTool;
import dev.mailflow.testing.OpenDkim;
import dev.mailflow.testing.SmtpTestClient;
import dev.mailflow.testing.TestServer;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OpenDKIM as a signing milter: a message passing through it comes out with its DKIM-Signature,
 * which verifies with Mailflow's own verifier (#10) and with dkimpy, the verifier behind
 * {@code dkimverify}, keys served by a private dnsmasq.
 */
class MilterOpenDkimTest {

    @TempDir
    Path dir;

    @Test
    void aMessageThroughOpenDkimComesOutSignedAndTheSignatureVerifies() throws Exception {
        Path dkimverify = ExternalTool.require("dkimverify");
        var key = DkimKeyGenerator.rsa(2048);
        String record = DkimKeyGenerator.keyRecord(key.getPublic());
        try (var opendkim = OpenDkim.start(dir.resolve("opendkim"), "example.test", "sel",
                DkimKeyGenerator.privateKeyPem(key));
             var server = TestServer.start(List.of("milters = [\"" + opendkim.milter() + "\"]"), List.of())) {
            try (var c = new SmtpTestClient(server.port())) {
                c.reply();
                c.send("EHLO client.example");
                c.send("MAIL FROM:<postmaster@example.test>");
                c.send("RCPT TO:<kate@fabrikam.com>");
                c.send("DATA");
                assertThat(c.send("""
                        From: The Postmaster <postmaster@example.test>\r
                        To: Kate <kate@fabrikam.com>\r
                        Subject: Signed on the way through,\r
                         with a folded subject\r
                        Date: Wed, 2 Dec 2026 10:00:00 +0000\r
                        Message-ID: <signed-1@example.test>\r
                        \r
                        Hello Kate,\r
                        \r
                        this message was signed by OpenDKIM.\r
                        .""").get(0)).startsWith("250 2.6.0");
            }
            var delivered = server.awaitDelivered("kate@fabrikam.com", 1, Duration.ofSeconds(20));
            assertThat(delivered).hasSize(1);
            byte[] message = DkimVerifier.withCrlfLineEnds(Files.readAllBytes(delivered.get(0)));
            String text = new String(message, StandardCharsets.UTF_8);
            assertThat(text).containsPattern("(?m)^DKIM-Signature: .*d=example\\.test");

            DkimKeyLookup keys = (selector, domain) -> selector.equals("sel") && domain.equals("example.test")
                    ? new DkimKeyLookup.Found(List.of(record)) : new DkimKeyLookup.NotFound();
            var ours = new DkimVerifier(keys, Clock.systemUTC(), DkimPolicy.standard()).verify(message);
            assertThat(ours.passedFor("example.test")).as("Mailflow's verifier: " + ours.signatures()).isTrue();

            try (var dns = Dnsmasq.start(Dnsmasq.freePort(), List.of("--txt-record=sel._domainkey.example.test,"
                    + String.join(",", DkimKeyGenerator.txtStrings(record))), dir.resolve("dnsmasq.log"))) {
                assertThat(dkimpy(dkimverify, dns.port(), message)).as("dkimpy").startsWith("pass");
            }
        }
    }

    /** dkimpy's verdict on the message, its DNS pointed at the private dnsmasq (dkimpy-verify.py). */
    private String dkimpy(Path dkimverify, int port, byte[] message) throws Exception {
        String shebang = Files.readAllLines(dkimverify).get(0);
        Path python = Path.of(shebang.substring(2).strip().split("\\s+")[0]);
        Path script = dir.resolve("dkimpy-verify.py");
        try (InputStream in = getClass().getResourceAsStream("/dev/mailflow/auth/dkim/dkimpy-verify.py")) {
            Files.write(script, in.readAllBytes());
        }
        Path out = dir.resolve("dkimpy.txt");
        var p = new ProcessBuilder(python.toString(), script.toString(), Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try (var in = p.getOutputStream()) {
            in.write(message);
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return Files.readString(out);
    }
}
