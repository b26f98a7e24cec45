package dev.mailflow.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.server.tls.TlsCertificates;
import dev.mailflow.testing.MainRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configuration the Debian package installs as /etc/mailflow/mailflow.toml
 * (packaging/debian/mailflow.toml) passes {@code mailflow check}, and so does it with its
 * commented Let's Encrypt lines put in, once those files exist. Checked on loopback copies:
 * {@code check} tries to bind each port, and a test binds nothing beyond 127.0.0.0/8.
 */
class PackagedConfigTest {

    static final Path SHIPPED = Path.of("packaging/debian/mailflow.toml");

    @TempDir
    Path dir;

    /** The shipped file with its listeners moved from all addresses to loopback. */
    private Path onLoopback(String text) throws Exception {
        assertThat(text).contains("bind = \"0.0.0.0:25\"").contains("bind = \"0.0.0.0:587\"")
                .contains("bind = \"0.0.0.0:465\"");
        Path config = dir.resolve("mailflow.toml");
        Files.writeString(config, text.replace("\"0.0.0.0:", "\"127.0.0.1:"));
        return config;
    }

    @Test
    void theShippedConfigurationIsValid() throws Exception {
        var r = MainRunner.run("check", "--config", onLoopback(Files.readString(SHIPPED)).toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("hostname: mail.example.com")
                .contains("Default Frontend: SMTP on 127.0.0.1:25 (anonymous, STARTTLS)")
                .contains("Client Submission: SMTP on 127.0.0.1:587 (authenticated clients only, STARTTLS required)")
                .contains("Client Submission TLS: SMTP on 127.0.0.1:465 (authenticated clients only, implicit TLS)")
                .contains("accepted domains: example.com")
                .contains("mailboxes: kate@example.com, postmaster@example.com")
                .contains("data: /var/lib/mailflow (");
    }

    @Test
    void itsLetsEncryptLinesWorkOnceTheFilesExist() throws Exception {
        String shipped = Files.readString(SHIPPED);
        String uncommented = shipped.replaceAll("(?m)^#(\\[tls\\]|certificate = .*|key = .*)$", "$1");
        assertThat(uncommented).contains("""
                [tls]
                certificate = "/etc/letsencrypt/live/mail.example.com/fullchain.pem"
                key = "/etc/letsencrypt/live/mail.example.com/privkey.pem"
                """);

        // Where certbot would have written them, under the test's folder.
        Path live = dir.resolve("etc/letsencrypt/live/mail.example.com");
        String moved = uncommented.replace("\"/etc/letsencrypt/", "\"" + dir.resolve("etc/letsencrypt") + "/");
        Path config = onLoopback(moved);
        var missing = MainRunner.run("check", "--config", config.toString());
        assertThat(missing.code()).as("before the certificate exists").isEqualTo(2);
        assertThat(missing.err()).contains("tls.certificate").contains("fullchain.pem");

        TlsCertificates.selfSigned("mail.example.com").write(live.resolve("fullchain.pem"), live.resolve("privkey.pem"));
        var r = MainRunner.run("check", "--config", config.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("is valid");
    }
}
