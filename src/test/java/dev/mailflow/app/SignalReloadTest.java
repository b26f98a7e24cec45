package dev.mailflow.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.server.tls.TlsCertificates;
import dev.mailflow.testing.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGHUP makes a running server pick up new certificate files; SIGTERM stops it with 0. */
class SignalReloadTest {

    @TempDir
    Path dir;

    @Test
    void sighupReloadsTheCertificate() throws Exception {
        var first = TlsCertificates.selfSigned("one.example.test");
        first.write(dir.resolve("cert.pem"), dir.resolve("key.pem"));
        Path config = dir.resolve("mailflow.toml");
        Files.writeString(config, """
                hostname = "mail.example.test"
                data_dir = "data"

                [[receive_connector]]
                name = "Inbound"
                bind = "127.0.0.1:0"

                [tls]
                certificate = "cert.pem"
                key = "key.pem"

                [web]
                enabled = false
                """);
        try (var server = ServerProcess.start(config)) {
            assertThat(server.output()).contains(first.fingerprint());
            var second = TlsCertificates.selfSigned("two.example.test");
            second.write(dir.resolve("cert.pem"), dir.resolve("key.pem"));
            var kill = new ProcessBuilder("kill", "-HUP", String.valueOf(server.pid())).start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!server.output().contains("TLS certificate reloaded") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(server.output()).contains("TLS certificate reloaded").contains(second.fingerprint());
            assertThat(server.stop()).as("exit code after SIGTERM").isZero();
        }
    }
}
