package dev.mailflow.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.testing.MainRunner;
import dev.mailflow.testing.TestPki;
import dev.mailflow.tlspolicy.mtasts.MtaStsPolicy;
import dev.mailflow.tlspolicy.mtasts.PublishedPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mailflow check} prints the TLSA, MTA-STS and TLS-RPT records our own domains should publish. */
class CheckPublishedRecordsTest {

    @TempDir
    Path dir;

    private Path config(String more) throws Exception {
        return Files.writeString(dir.resolve("mailflow.toml"), """
                hostname = "mx.example.test"
                data_dir = "data"
                [web]
                enabled = false
                [[receive_connector]]
                name = "Inbound"
                bind = "127.0.0.1:0"
                [[accepted_domain]]
                name = "example.test"
                [[accepted_domain]]
                name = "example.net"
                [[accepted_domain]]
                name = "localhost"
                [[mailbox]]
                address = "postmaster@example.test"
                """ + more);
    }

    @Test
    void theRecordsForTheCertificateAndThePolicy() throws Exception {
        var issued = TestPki.root("Check Test CA").issue("mx.example.test");
        issued.writePem(dir.resolve("cert.pem"), dir.resolve("key.pem"));
        var r = MainRunner.run("check", "--config", config("""
                [tls]
                certificate = "cert.pem"
                key = "key.pem"
                [mta_sts]
                mode = "enforce"
                max_age = "14d"
                bind = "127.0.0.1:0"
                """).toString());
        assertThat(r.code()).as(r.err()).isZero();
        String spki = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(issued.certificate().getPublicKey().getEncoded()));
        String id = new PublishedPolicy(MtaStsPolicy.Mode.ENFORCE, List.of("mx.example.test"), Duration.ofDays(14))
                .policyId();
        assertThat(r.out()).contains("  DNS records to publish for outbound TLS policy (DANE, MTA-STS, TLS-RPT):\n"
                        + "    _25._tcp.mx.example.test. IN TLSA 3 1 1 " + spki + "\n")
                .contains("(DANE-EE 3 1 1, the SHA-256 of the public key of " + dir.resolve("cert.pem"))
                .contains("    _mta-sts.example.test. IN TXT \"v=STSv1; id=" + id + "\"\n")
                .contains("    _mta-sts.example.net. IN TXT \"v=STSv1; id=" + id + "\"\n")
                .contains("(MTA-STS, mode enforce: ")
                .contains("    _smtp._tls.example.test. IN TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@example.test\"\n")
                .contains("    _smtp._tls.example.net. IN TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@example.net\"\n")
                .doesNotContain("localhost.");
    }

    @Test
    void withoutACertificateOrAPolicyListenerItSaysSoAndMakesNothing() throws Exception {
        var r = MainRunner.run("check", "--config", config("").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("    TLSA (DANE): no certificate yet: [tls] is not set and serve makes a "
                        + "self-signed one in " + dir.resolve("data").resolve("tls"))
                .contains("    MTA-STS: not published ([mta_sts] bind is not set)")
                .contains("_smtp._tls.example.test. IN TXT");
        assertThat(Files.exists(dir.resolve("data"))).as("check makes nothing").isFalse();

        // The self-signed certificate serve made: its key's record (DANE-EE needs no CA).
        var self = TestPki.selfSigned("mx.example.test");
        Files.createDirectories(dir.resolve("data/tls"));
        self.writePem(dir.resolve("data/tls/selfsigned-cert.pem"), dir.resolve("data/tls/selfsigned-key.pem"));
        r = MainRunner.run("check", "--config", config("").toString());
        String spki = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(self.certificate().getPublicKey().getEncoded()));
        assertThat(r.out()).contains("_25._tcp.mx.example.test. IN TLSA 3 1 1 " + spki).contains(", self-signed;");
    }
}
