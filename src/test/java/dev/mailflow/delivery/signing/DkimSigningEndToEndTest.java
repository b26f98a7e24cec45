package dev.mailflow.delivery.signing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.app.ConfigLoader;
import dev.mailflow.auth.dkim.DkimKeyGenerator;
import dev.mailflow.testing.Dnsmasq;
import dev.mailflow.testing.ExternalTool;
import dev.mailflow.testing.MainRunner;
import dev.mailflow.testing.ScriptedPeer;
import dev.mailflow.testing.SmtpTestClient;
import dev.mailflow.testing.TestServer;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end, with dkimpy (Debian's python3-dkim) as the judge and the keys published in a
 * real DNS server (dnsmasq on loopback): a message submitted by an authenticated user leaves
 * through a send connector with an RSA and an Ed25519 signature that both verify, also when
 * the smart host lacks 8BITMIME and the 8-bit body goes out as quoted-printable; a message
 * that came anonymously from the internet with our From and is forwarded out by an alias is
 * not signed; a key added to the file signs after {@code mailflow reload}.
 *
 * <p>dkimpy's own verification code judges; only its DNS function is pointed at dnsmasq
 * (dkimpy-verify.py, as in DkimDkimpyInteropTest), because dkimverify asks the system resolver.
 */
class DkimSigningEndToEndTest {

    @TempDir
    static Path dir;

    static Dnsmasq dns;
    static Path python;
    static Path verifyScript;
    static ScriptedPeer eightBit;
    static ScriptedPeer sevenBit;
    static KeyPair edKey;

    @BeforeAll
    static void start() throws Exception {
        Path dkimverify = ExternalTool.require("dkimverify");
        String shebang = Files.readAllLines(dkimverify).get(0);
        python = Path.of(shebang.substring(2).strip().split("\\s+")[0]);
        verifyScript = dir.resolve("dkimpy-verify.py");
        try (InputStream in = DkimSigningEndToEndTest.class.getResourceAsStream("/dev/mailflow/auth/dkim/dkimpy-verify.py")) {
            Files.write(verifyScript, in.readAllBytes());
        }
        KeyPair rsa = DkimKeyGenerator.rsa(2048);
        KeyPair ed = DkimKeyGenerator.ed25519();
        edKey = ed;
        Files.createDirectories(dir.resolve("keys"));
        Files.writeString(dir.resolve("keys/fabrikam.com.r2026.pem"), DkimKeyGenerator.privateKeyPem(rsa));
        Files.writeString(dir.resolve("keys/fabrikam.com.e2026.pem"), DkimKeyGenerator.privateKeyPem(ed));
        dns = Dnsmasq.start(Dnsmasq.freePort(), List.of(txt("r2026", DkimKeyGenerator.keyRecord(rsa.getPublic())),
                txt("e2026", DkimKeyGenerator.keyRecord(ed.getPublic()))), dir.resolve("dnsmasq.log"));
        eightBit = new ScriptedPeer(new ScriptedPeer.Script() { });
        sevenBit = new ScriptedPeer(new ScriptedPeer.Script() {
            @Override
            public List<String> extensions(int session) {
                return List.of("PIPELINING", "SIZE 10000000", "ENHANCEDSTATUSCODES");
            }
        });
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {dns, eightBit, sevenBit}) {
            if (c != null) {
                c.close();
            }
        }
    }

    /** dnsmasq's --txt-record: the name, then the character-strings, comma-separated. */
    static String txt(String selector, String record) {
        return "--txt-record=" + selector + "._domainkey.fabrikam.com,"
                + String.join(",", DkimKeyGenerator.txtStrings(record));
    }

    static String key(String selector) {
        return "[[dkim_key]]\ndomain = \"fabrikam.com\"\nselector = \"" + selector + "\"\nprivate_key = \"keys/fabrikam.com."
                + selector + ".pem\"\n";
    }

    /**
     * A server whose submission connector takes AUTH without TLS (loopback), whose inbound
     * connector is anonymous with no relay_from (the internet), and whose send connectors take
     * eight.test to an 8BITMIME smart host and seven.test to one without.
     */
    static Path config(String name, String... keys) throws Exception {
        String toml = """
                hostname = "mail1.fabrikam.com"
                data_dir = "%s"

                [[receive_connector]]
                name = "Inbound"
                bind = "127.0.0.1:0"
                anonymous = true
                tls = "off"

                [[receive_connector]]
                name = "Submission"
                bind = "127.0.0.1:0"
                anonymous = false
                tls = "off"
                allow_insecure_auth = true

                [[accepted_domain]]
                name = "fabrikam.com"

                [[mailbox]]
                address = "kate@fabrikam.com"
                password = "secret"

                [[mailbox]]
                address = "postmaster@fabrikam.com"

                [[alias]]
                address = "forward@fabrikam.com"
                recipients = ["kate.elsewhere@eight.test"]

                [[send_connector]]
                name = "Eight"
                domains = ["eight.test"]
                smart_host = "127.0.0.1:%d"

                [[send_connector]]
                name = "Seven"
                domains = ["seven.test"]
                smart_host = "127.0.0.1:%d"

                [delivery]
                dns_server = "127.0.0.1:%d"
                starttls = false
                command_timeout = "5s"

                [web]
                enabled = false
                """.formatted(dir.resolve("data-" + name), eightBit.port(), sevenBit.port(), dns.port())
                + String.join("", keys);
        return Files.writeString(dir.resolve(name + ".toml"), toml);
    }

    static TestServer serve(Path config) throws Exception {
        return TestServer.start(ConfigLoader.load(config));
    }

    static String message(String to, String subject) {
        return "From: Kate <kate@fabrikam.com>\r\n"
                + "To: <" + to + ">\r\n"
                + "Subject: " + subject + "\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n"
                + "\r\n"
                + "Grüße aus Fabrikam,  with two  spaces and a trailing one \r\n"
                + "..a line that starts with a dot\r\n"
                + "\r\n"
                + "Kate\r\n";
    }

    /** Submission with AUTH PLAIN as kate; BODY=8BITMIME. */
    static void submit(TestServer server, String to, String message) throws Exception {
        try (var c = new SmtpTestClient(server.address("Submission").getPort())) {
            c.socket.setSoTimeout(20_000);
            c.reply();
            c.send("EHLO laptop.fabrikam.com");
            String auth = Base64.getEncoder().encodeToString("\0kate@fabrikam.com\0secret".getBytes(StandardCharsets.UTF_8));
            assertThat(c.send("AUTH PLAIN " + auth).get(0)).startsWith("235");
            assertThat(c.send("MAIL FROM:<kate@fabrikam.com> BODY=8BITMIME").get(0)).startsWith("250");
            assertThat(c.send("RCPT TO:<" + to + ">").get(0)).startsWith("250");
            assertThat(c.send("DATA").get(0)).startsWith("354");
            assertThat(c.send(message + ".").get(0)).startsWith("250 2.6.0");
        }
    }

    /** What dkimpy says of the message: one line per signature, and its exit code. */
    record Verdict(int code, List<String> lines) {
    }

    static Verdict dkimpy(String message) throws Exception {
        Path out = Files.createTempFile(dir, "dkimpy", ".txt");
        var p = new ProcessBuilder(python.toString(), verifyScript.toString(), Integer.toString(dns.port()))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try (var in = p.getOutputStream()) {
            in.write(message.getBytes(StandardCharsets.UTF_8));
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Verdict(p.exitValue(), Files.readAllLines(out));
    }

    static ScriptedPeer.Accepted awaitMessage(ScriptedPeer peer, String subject) throws InterruptedException {
        BooleanSupplier arrived = () -> peer.accepted().stream().anyMatch(a -> a.content().contains(subject));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!arrived.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return peer.accepted().stream().filter(a -> a.content().contains("Subject: " + subject)).findFirst()
                .orElseThrow(() -> new AssertionError("no message \"" + subject + "\" at the smart host"));
    }

    /** The names of the header fields, in order, as they arrived. */
    static List<String> fieldNames(String message) {
        var names = new ArrayList<String>();
        for (String line : message.substring(0, message.indexOf("\r\n\r\n")).split("\r\n")) {
            if (!line.startsWith(" ") && !line.startsWith("\t")) {
                names.add(line.substring(0, line.indexOf(':')));
            }
        }
        return names;
    }

    @Test
    void submittedMailLeavesWithAnRsaAndAnEd25519SignatureThatDkimpyAccepts() throws Exception {
        try (var server = serve(config("both", key("r2026"), key("e2026")))) {
            submit(server, "chris@eight.test", message("chris@eight.test", "eight bit"));
            String got = awaitMessage(eightBit, "eight bit").content();
            assertThat(fieldNames(got).subList(0, 3)).containsExactly("DKIM-Signature", "DKIM-Signature", "Received");
            assertThat(got).contains("a=rsa-sha256").contains("a=ed25519-sha256").contains("d=fabrikam.com")
                    .contains("Grüße aus Fabrikam");
            var verdict = dkimpy(got);
            assertThat(verdict.lines()).as(got).hasSize(2).allSatisfy(l -> assertThat(l).startsWith("pass"));
            assertThat(verdict.code()).isZero();

            // One changed body octet, as a receiver would see it: both fail.
            assertThat(dkimpy(got.replace("Kate\r\n", "Kato\r\n")).lines()).hasSize(2)
                    .allSatisfy(l -> assertThat(l).startsWith("fail"));
        }
    }

    @Test
    void anEightBitBodyConvertedForASmartHostWithout8BitMimeStillVerifies() throws Exception {
        try (var server = serve(config("seven", key("r2026"), key("e2026")))) {
            submit(server, "chris@seven.test", message("chris@seven.test", "seven bit"));
            String got = awaitMessage(sevenBit, "seven bit").content();
            assertThat(sevenBit.commands()).anySatisfy(c -> assertThat(c).startsWith("MAIL FROM:<kate@fabrikam.com>")
                    .doesNotContain("8BITMIME"));
            assertThat(got.chars().allMatch(ch -> ch < 0x80)).as("7-bit on the wire: %s", got).isTrue();
            assertThat(got).containsIgnoringCase("Content-Transfer-Encoding: quoted-printable");
            var verdict = dkimpy(got);
            assertThat(verdict.lines()).as(got).hasSize(2).allSatisfy(l -> assertThat(l).startsWith("pass"));
            assertThat(verdict.code()).isZero();
        }
    }

    @Test
    void anonymousMailWithOurFromForwardedOutIsArcSealedNotSigned() throws Exception {
        try (var server = serve(config("anonymous", key("r2026"), key("e2026")))) {
            try (var c = new SmtpTestClient(server.address("Inbound").getPort())) {
                c.socket.setSoTimeout(20_000);
                c.reply();
                assertThat(c.acceptedTransaction("mx.evil.test", "ceo@fabrikam.com", "RCPT TO:<forward@fabrikam.com>",
                        message("forward@fabrikam.com", "forged"))).startsWith("250 2.6.0");
            }
            String got = awaitMessage(eightBit, "forged").content();
            // Not DKIM-signed; ARC-sealed instead (RFC 8617), with the RSA key, carrying our results.
            assertThat(fieldNames(got)).doesNotContain("DKIM-Signature").startsWith("ARC-Seal", "ARC-Message-Signature",
                    "ARC-Authentication-Results", "Received");
            assertThat(dkimpy(got).lines()).containsExactly("none");
            assertThat(got).contains("ARC-Authentication-Results: i=1; mail1.fabrikam.com;")
                    .contains("d=fabrikam.com").contains("s=r2026").contains("cv=none");
            var arc = arcVerdict(got);
            assertThat(arc.lines()).as(got).singleElement().asString().startsWith("cv=pass");
            assertThat(arc.code()).isZero();
            // A changed body octet breaks the seal's message signature for dkimpy too.
            assertThat(arcVerdict(got.replace("Kate\r\n", "Kato\r\n")).lines()).singleElement().asString()
                    .startsWith("cv=fail");
        }
    }

    /** What dkimpy's ARC validation says of the message (dkimpy-arc.py, keys from dnsmasq). */
    static Verdict arcVerdict(String message) throws Exception {
        Path script = dir.resolve("dkimpy-arc.py");
        if (!Files.exists(script)) {
            try (InputStream in = DkimSigningEndToEndTest.class.getResourceAsStream(
                    "/dev/mailflow/auth/arc/dkimpy-arc.py")) {
                Files.write(script, in.readAllBytes());
            }
        }
        Path out = Files.createTempFile(dir, "arc", ".txt");
        var p = new ProcessBuilder(python.toString(), script.toString(), "verify", Integer.toString(dns.port()))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try (var in = p.getOutputStream()) {
            in.write(message.getBytes(StandardCharsets.UTF_8));
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Verdict(p.exitValue(), Files.readAllLines(out));
    }

    @Test
    void aKeyAddedToTheFileSignsAfterAReload() throws Exception {
        Path config = config("reload", key("r2026"));
        try (var server = serve(config)) {
            submit(server, "chris@eight.test", message("chris@eight.test", "before the reload"));
            String before = awaitMessage(eightBit, "before the reload").content();
            assertThat(dkimpy(before).lines()).singleElement().asString().startsWith("pass");
            assertThat(before).doesNotContain("a=ed25519-sha256");

            config("reload", key("r2026"), key("e2026"));
            var reload = MainRunner.run("reload", "--config", config.toString());
            assertThat(reload.code()).as(reload.err()).isZero();
            assertThat(reload.out()).contains("dkim key fabrikam.com selector e2026 added");

            submit(server, "chris@eight.test", message("chris@eight.test", "after the reload"));
            String after = awaitMessage(eightBit, "after the reload").content();
            assertThat(after).contains("a=ed25519-sha256");
            assertThat(dkimpy(after).lines()).hasSize(2).allSatisfy(l -> assertThat(l).startsWith("pass"));

            // A rotation in place: the same table, another key in its file; the reload says so.
            Files.writeString(dir.resolve("keys/fabrikam.com.e2026.pem"),
                    DkimKeyGenerator.privateKeyPem(DkimKeyGenerator.ed25519()));
            var rotated = MainRunner.run("reload", "--config", config.toString());
            assertThat(rotated.code()).as(rotated.err()).isZero();
            assertThat(rotated.out()).contains("e2026").contains("private key replaced");
            // put the published key back for the other tests
            Files.writeString(dir.resolve("keys/fabrikam.com.e2026.pem"), DkimKeyGenerator.privateKeyPem(edKey));
        }
    }
}
