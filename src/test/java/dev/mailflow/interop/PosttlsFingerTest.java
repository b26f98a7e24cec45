package dev.mailflow.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.server.tls.TlsCertificates;
import dev.mailflow.testing.ExternalTool;
import dev.mailflow.testing.TestServer;
import dev.mailflow.tlspolicy.dane.TlsaRecords;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a verifying sender sees of our inbound STARTTLS: Postfix's {@code posttls-finger} at
 * its {@code fingerprint} level, which pins the certificate or public key as a DANE-EE(3)
 * record does. It resolves names with the system's resolver only (port 53), so the pin is given
 * on its command line: the SHA-256 of our public key, which is the data of the
 * {@code _25._tcp IN TLSA 3 1 1} record {@code mailflow check} tells us to publish.
 */
class PosttlsFingerTest {

    @TempDir
    static Path tmp;
    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String finger(String... args) throws Exception {
        Path finger = ExternalTool.require("posttls-finger");
        // posttls-finger reads main.cf at start: give it an empty one of its own.
        Path conf = Files.createDirectories(tmp.resolve("postfix-conf"));
        Files.writeString(conf.resolve("main.cf"), "");
        var command = new java.util.ArrayList<>(List.of(finger.toString()));
        command.addAll(List.of(args));
        var pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("MAIL_CONFIG", conf.toString());
        var p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    private static String keyPin() throws Exception {
        var dir = server.dataDir().resolve("tls");
        var certs = TlsCertificates.read(dir.resolve("selfsigned-cert.pem"), dir.resolve("selfsigned-key.pem"));
        byte[] spki = certs.chain().get(0).getPublicKey().getEncoded();
        return HexFormat.ofDelimiter(":").withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(spki));
    }

    @Test
    void ourKeyPinVerifiesAsADaneEeRecordWould() throws Exception {
        String pin = keyPin();
        String out = finger("-c", "-l", "fingerprint", "-d", "sha256", "[127.0.0.1]:" + server.port(), pin);
        assertThat(out).contains("Verified TLS connection established to 127.0.0.1[127.0.0.1]:" + server.port())
                .containsPattern("TLSv1\\.[23]");
        // The record mailflow check prints has the same data.
        var dir = server.dataDir().resolve("tls");
        var leaf = TlsCertificates.read(dir.resolve("selfsigned-cert.pem"), dir.resolve("selfsigned-key.pem"))
                .chain().get(0);
        assertThat(TlsaRecords.forCertificate(leaf, 3, 1, 1).toString())
                .isEqualTo("3 1 1 " + pin.replace(":", "").toLowerCase(java.util.Locale.ROOT));
    }

    @Test
    void anotherPinIsUntrusted() throws Exception {
        String out = finger("-c", "-l", "fingerprint", "-d", "sha256", "[127.0.0.1]:" + server.port(),
                "AB:".repeat(31) + "AB");
        assertThat(out).contains("Untrusted TLS connection established to 127.0.0.1[127.0.0.1]:" + server.port());
    }
}
