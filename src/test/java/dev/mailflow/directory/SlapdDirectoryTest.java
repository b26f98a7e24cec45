package dev.mailflow.directory;

import static dev.mailflow.directory.LdapDirectorySmtpTest.plain;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.testing.Await;
import dev.mailflow.testing.InMemoryLdap;
import dev.mailflow.testing.MainRunner;
import dev.mailflow.testing.Slapd;
import dev.mailflow.testing.SmtpTestClient;
import dev.mailflow.testing.TestPki;
import dev.mailflow.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The LDAP directory against a real OpenLDAP slapd of the test's own ({@link Slapd}: the
 * schema of inetOrgPerson plus mailflow.schema, the entries of directory.ldif, StartTLS with a
 * certificate of a test CA), behind a whole Mailflow server: RCPT for a known, an alias and an
 * unknown address, a message delivered, AUTH PLAIN as a bind (good and bad password); with
 * slapd stopped, 451 4.3.0 for an address not cached and 454 4.7.0 for AUTH; started again, it
 * answers. {@code mailflow check} says it answers, and then that it does not.
 */
class SlapdDirectoryTest {

    @TempDir
    Path tmp;

    @Test
    void rcptAndAuthThroughARealSlapd() throws Exception {
        var ca = TestPki.root("Mailflow slapd test CA");
        var cert = ca.issue(new TestPki.Leaf().dns("ldap.test").ip("127.0.0.1"));
        Path certFile = tmp.resolve("slapd.crt");
        Path keyFile = tmp.resolve("slapd.key");
        cert.writePemWithPublicKey(certFile, keyFile); // slapd's GnuTLS wants the public key in the key file
        Path caFile = ca.writeCertificate(tmp.resolve("ca.pem"));
        Path passwordFile = tmp.resolve("bind.password");
        Files.writeString(passwordFile, InMemoryLdap.SERVICE_PASSWORD + "\n");

        try (var slapd = Slapd.start(tmp, certFile, keyFile)) {
            var table = new ArrayList<>(LdapDirectorySmtpTest.directoryTable(slapd.url(), passwordFile));
            table.add("start_tls = true");
            table.add("ca_file = \"" + caFile + "\"");
            try (var server = TestServer.start(List.of("allow_insecure_auth = true"), table)) {
                try (var c = new SmtpTestClient(server.port())) {
                    c.reply();
                    c.send("EHLO contoso.com");
                    c.send("MAIL FROM:<chris@contoso.com>");
                    assertThat(c.send("RCPT TO:<kate@db.test>").get(0)).startsWith("250");
                    assertThat(c.send("RCPT TO:<K@DB.TEST>").get(0)).as("an alternate address").startsWith("250");
                    assertThat(c.send("RCPT TO:<nobody@db.test>").get(0)).isEqualTo("550 5.1.1 User unknown");
                    assertThat(c.send("RCPT TO:<\"*)(uid=*\"@db.test>").get(0)).startsWith("550 5.1.1");
                    assertThat(c.send("RCPT TO:<kate@gone.test>").get(0)).startsWith("550 5.7.54");
                    c.send("DATA");
                    assertThat(c.send("Subject: from slapd\r\n\r\nhello\r\n.").get(0)).startsWith("250");
                }
                Await.until("the message finished", () -> server.queuedMessages().isEmpty());
                assertThat(server.delivered("kate@db.test")).as("one copy for kate and k").hasSize(1);
                try (var c = new SmtpTestClient(server.address(TestServer.SUBMISSION).getPort())) {
                    c.reply();
                    c.send("EHLO client.test");
                    assertThat(c.send("AUTH PLAIN " + plain("kate@db.test", "not-hers")).get(0)).startsWith("535");
                    assertThat(c.send("AUTH PLAIN " + plain("kate@db.test", "secret")).get(0)).startsWith("235");
                }
                Path config = tmp.resolve("check.toml");
                Files.writeString(config, "hostname = \"mx.example.test\"\ndata_dir = \"" + tmp.resolve("check-data")
                        + "\"\n[[receive_connector]]\nname = \"in\"\nbind = \"127.0.0.1:0\"\n"
                        + String.join("\n", table) + "\n");
                var check = MainRunner.run("check", "--config", config.toString());
                assertThat(check.code()).isZero();
                assertThat(check.out()).contains("  directory: LDAP at " + slapd.url() + " (StartTLS)\n")
                        .contains("  accepted domains: ").contains("db.test").contains("catch.test")
                        .contains("  mailboxes: ann@db.test, bob@db.test, kate@db.test, postmaster@db.test\n");

                slapd.stop();
                Thread.sleep(1_200); // past cache_ttl: only the grace keeps the answers
                try (var c = new SmtpTestClient(server.port())) {
                    c.reply();
                    c.send("EHLO contoso.com");
                    c.send("MAIL FROM:<chris@contoso.com>");
                    assertThat(c.send("RCPT TO:<kate@db.test>").get(0)).as("cached, within the grace")
                            .startsWith("250");
                    assertThat(c.send("RCPT TO:<new@db.test>").get(0))
                            .isEqualTo("451 4.3.0 Directory temporarily unavailable, please try again later");
                    assertThat(c.send("NOOP").get(0)).as("the session goes on").startsWith("250");
                }
                try (var c = new SmtpTestClient(server.address(TestServer.SUBMISSION).getPort())) {
                    c.reply();
                    c.send("EHLO client.test");
                    assertThat(c.send("AUTH PLAIN " + plain("kate@db.test", "secret")).get(0))
                            .isEqualTo("454 4.7.0 Temporary authentication failure");
                }
                check = MainRunner.run("check", "--config", config.toString());
                assertThat(check.code()).isZero();
                assertThat(check.out()).contains("  directory: does NOT answer now: LDAP at " + slapd.url()
                        + " (StartTLS) does not answer: connection refused");

                slapd.startAgain();
                Thread.sleep(CachedLookups.RETRY_AFTER.toMillis() + 500); // a failed server is left alone that long
                try (var c = new SmtpTestClient(server.port())) {
                    c.reply();
                    c.send("EHLO contoso.com");
                    c.send("MAIL FROM:<chris@contoso.com>");
                    assertThat(c.send("RCPT TO:<new@db.test>").get(0)).startsWith("550 5.1.1");
                }
                try (var c = new SmtpTestClient(server.address(TestServer.SUBMISSION).getPort())) {
                    c.reply();
                    c.send("EHLO client.test");
                    assertThat(c.send("AUTH PLAIN " + plain("kate@db.test", "secret")).get(0)).startsWith("235");
                }
            }
        }
    }
}
