package dev.mailflow.directory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.testing.InMemoryLdap;
import dev.mailflow.testing.SmtpTestClient;
import dev.mailflow.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole server with provider = "ldap" against UnboundID's in-memory directory: RCPT and AUTH
 * through the session (the bind behind AUTH PLAIN and LOGIN, the limits before it), and the
 * server's replies when the directory goes down (451 4.3.0, 454 4.7.0, the session goes on).
 * SlapdDirectoryTest does the same against a real slapd.
 */
class LdapDirectorySmtpTest {

    @TempDir
    Path tmp;

    static String plain(String user, String password) {
        return Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
    }

    static List<String> directoryTable(String url, Path passwordFile) {
        return List.of("[directory]", "provider = \"ldap\"", "url = \"" + url + "\"",
                "bind_dn = \"" + InMemoryLdap.SERVICE_DN + "\"", "bind_password_file = \"" + passwordFile + "\"",
                "search_base = \"" + InMemoryLdap.PEOPLE + "\"", "domain_search_base = \"" + InMemoryLdap.DOMAINS + "\"",
                "domain_filter = \"(&(objectClass=domainRelatedObject)(associatedDomain=%s))\"",
                "cache_ttl = \"1s\"", "cache_grace = \"1h\"");
    }

    @Test
    void rcptAndAuthThroughTheSession() throws Exception {
        try (var ldap = InMemoryLdap.start()) {
            Path passwordFile = tmp.resolve("bind.password");
            Files.writeString(passwordFile, InMemoryLdap.SERVICE_PASSWORD + "\n");
            try (var server = TestServer.start(List.of("allow_insecure_auth = true"),
                    directoryTable(ldap.url(), passwordFile))) {
                try (var c = new SmtpTestClient(server.port())) {
                    c.reply();
                    c.send("EHLO contoso.com");
                    c.send("MAIL FROM:<chris@contoso.com>");
                    assertThat(c.send("RCPT TO:<kate@db.test>").get(0)).startsWith("250");
                    assertThat(c.send("RCPT TO:<k@db.test>").get(0)).startsWith("250");
                    assertThat(c.send("RCPT TO:<nobody@db.test>").get(0)).startsWith("550 5.1.1");
                    assertThat(c.send("RCPT TO:<*@db.test>").get(0)).startsWith("550 5.1.1");
                    assertThat(c.send("RCPT TO:<kate@gone.test>").get(0)).startsWith("550 5.7.54");
                }
                try (var c = new SmtpTestClient(server.address(TestServer.SUBMISSION).getPort())) {
                    c.reply();
                    c.send("EHLO client.test");
                    assertThat(c.send("AUTH PLAIN " + plain("kate@db.test", "wrong")).get(0)).startsWith("535");
                    assertThat(c.send("AUTH PLAIN " + plain("nobody@db.test", "secret")).get(0)).startsWith("535");
                    assertThat(c.send("AUTH PLAIN " + plain("kate@db.test", "secret")).get(0)).startsWith("235");
                    assertThat(c.send("MAIL FROM:<kate@db.test>").get(0)).as("send as her own address")
                            .startsWith("250");
                }
                try (var c = new SmtpTestClient(server.address(TestServer.SUBMISSION).getPort())) {
                    c.reply();
                    c.send("EHLO client.test");
                    assertThat(c.send("AUTH LOGIN").get(0)).startsWith("334");
                    assertThat(c.send(Base64.getEncoder().encodeToString("k@db.test".getBytes())).get(0))
                            .startsWith("334");
                    assertThat(c.send(Base64.getEncoder().encodeToString("secret".getBytes())).get(0))
                            .as("an alternate address logs in as the mailbox").startsWith("235");
                }

                ldap.stop();
                Thread.sleep(1_200); // past cache_ttl
                try (var c = new SmtpTestClient(server.port())) {
                    c.reply();
                    c.send("EHLO contoso.com");
                    c.send("MAIL FROM:<chris@contoso.com>");
                    assertThat(c.send("RCPT TO:<kate@db.test>").get(0)).as("cached, within the grace")
                            .startsWith("250");
                    assertThat(c.send("RCPT TO:<new@db.test>").get(0))
                            .isEqualTo("451 4.3.0 Directory temporarily unavailable, please try again later");
                    assertThat(c.send("NOOP").get(0)).startsWith("250");
                }
                try (var c = new SmtpTestClient(server.address(TestServer.SUBMISSION).getPort())) {
                    c.reply();
                    c.send("EHLO client.test");
                    assertThat(c.send("AUTH PLAIN " + plain("kate@db.test", "secret")).get(0))
                            .isEqualTo("454 4.7.0 Temporary authentication failure");
                }
            }
        }
    }
}
