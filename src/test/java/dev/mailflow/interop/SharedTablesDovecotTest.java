package dev.mailflow.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.server.auth.Passwords;
import dev.mailflow.testing.Await;
import dev.mailflow.testing.Dnsmasq;
import dev.mailflow.testing.Dovecot;
import dev.mailflow.testing.ExternalTool;
import dev.mailflow.testing.Postgres;
import dev.mailflow.testing.SmtpTestClient;
import dev.mailflow.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scale-out stack on one node, each part a real engine: PostfixAdmin's tables in a private
 * PostgreSQL serve Mailflow's directory (RCPT, AUTH) and Dovecot's passdb and userdb
 * ({@code dovecot-pgsql}); the queue is the shared one in the same database; local copies go to
 * Dovecot over LMTP and are read back over IMAP with the password of the same row. The rows'
 * hashes are bcrypt, Argon2id made by Mailflow and SHA-512 crypt made by {@code doveadm pw}:
 * each is checked by both programs.
 */
class SharedTablesDovecotTest {

    @TempDir
    Path tmp;

    @Test
    void oneRowServesSmtpAuthHereAndImapInDovecot() throws Exception {
        Path dovecot = ExternalTool.require("dovecot");
        Path python = ExternalTool.require("python3");
        ExternalTool.requireFile("/usr/lib/dovecot/lmtp", "dovecot-lmtpd");
        ExternalTool.requireModule("/usr/lib/dovecot/modules/auth/libdriver_pgsql.so", "dovecot-pgsql");
        ExternalTool.requireRoot("Dovecot and PostgreSQL are started with their own configuration");
        try (var pg = Postgres.start(tmp)) {
            pg.sql("postgres", "CREATE ROLE mailflow LOGIN; CREATE ROLE dovecot LOGIN;"
                    + " CREATE DATABASE mail OWNER mailflow;");
            String hash = Passwords.hash("imap-and-smtp".toCharArray());
            pg.sql("mail", """
                    CREATE TABLE domain (domain varchar(255) PRIMARY KEY, active boolean NOT NULL DEFAULT true);
                    CREATE TABLE mailbox (username varchar(255) PRIMARY KEY, password varchar(255) NOT NULL,
                        quota bigint NOT NULL DEFAULT 0, domain varchar(255), active boolean NOT NULL DEFAULT true);
                    CREATE TABLE alias (address varchar(255) PRIMARY KEY, goto text NOT NULL,
                        domain varchar(255), active boolean NOT NULL DEFAULT true);
                    INSERT INTO domain VALUES ('shared.test', true);
                    INSERT INTO mailbox VALUES ('kate@shared.test', '{BLF-CRYPT}%s', 0, 'shared.test', true),
                        ('postmaster@shared.test', '{BLF-CRYPT}%s', 0, 'shared.test', true);
                    INSERT INTO alias VALUES ('sales@shared.test', 'kate@shared.test', 'shared.test', true);
                    GRANT SELECT ON domain, mailbox, alias TO mailflow, dovecot;
                    """.formatted(hash, hash));

            Path base = tmp.resolve("dovecot");
            Path mail = base.resolve("mail");
            Files.createDirectories(mail);
            Dovecot.run(List.of("chown", "65534:65534", mail.toString()));
            Dovecot.run(List.of("chmod", "755", tmp.toString(), base.toString()));
            Files.writeString(base.resolve("sql.conf"), """
                    driver = pgsql
                    connect = host=127.0.0.1 port=%d dbname=mail user=dovecot
                    default_pass_scheme = BLF-CRYPT
                    password_query = SELECT username AS user, password FROM mailbox WHERE username = '%%u' AND active = true
                    user_query = SELECT '%s/%%d/%%n' AS home, 65534 AS uid, 65534 AS gid FROM mailbox WHERE username = '%%u' AND active = true
                    """.formatted(pg.port(), mail));
            int imapPort = Dnsmasq.freePort();
            Path socket = base.resolve("run/lmtp");
            Files.writeString(base.resolve("dovecot.conf"), Dovecot.settings(base, "imap lmtp") + """
                    mail_location = maildir:~/Maildir
                    passdb {
                      driver = sql
                      args = %1$s/sql.conf
                    }
                    userdb {
                      driver = sql
                      args = %1$s/sql.conf
                    }
                    service imap-login {
                      chroot =
                      inet_listener imap {
                        address = 127.0.0.1
                        port = %2$d
                      }
                    }
                    service lmtp {
                      unix_listener lmtp {
                        mode = 0666
                      }
                    }
                    service anvil {
                      chroot =
                    }
                    """.formatted(base, imapPort));
            // One row per scheme both read: Mailflow's own Argon2id hash (what 'mailflow passwd --scheme argon2id
            // --dovecot' prints) for Dovecot to check, and Dovecot's own SHA-512 crypt for Mailflow to check.
            String argon = Passwords.Scheme.ARGON2ID.dovecotPrefix()
                    + Passwords.hash("argon-both".toCharArray(), Passwords.Scheme.ARGON2ID);
            String sha = Dovecot.passwordHash(base, "SHA512-CRYPT", "sha-both");
            assertThat(sha).startsWith("{SHA512-CRYPT}$6$");
            pg.sql("mail", """
                    INSERT INTO mailbox VALUES ('lena@shared.test', '%s', 0, 'shared.test', true),
                        ('omar@shared.test', '%s', 0, 'shared.test', true);
                    """.formatted(argon, sha));
            Process dv = Dovecot.start(dovecot, base, socket);
            String db = "url = \"" + pg.url("mail") + "\"";
            try (var server = TestServer.start(List.of("allow_insecure_auth = true"),
                    List.of("[directory]", "provider = \"postgresql\"", db, "user = \"mailflow\""),
                    List.of("local = \"lmtp\"", "lmtp = \"unix:" + socket + "\""),
                    List.of("store = \"postgresql\"", db, "user = \"mailflow\"", "node_id = \"mx1\"",
                            "retry_intervals = [\"1s\"]"))) {
                try (var c = new SmtpTestClient(server.address(TestServer.SUBMISSION).getPort())) {
                    c.reply();
                    c.send("EHLO client.test");
                    String plain = Base64.getEncoder().encodeToString("\0kate@shared.test\0imap-and-smtp"
                            .getBytes(StandardCharsets.UTF_8));
                    assertThat(c.send("AUTH PLAIN " + plain).get(0)).as("the row's password, here").startsWith("235");
                }
                for (String[] account : new String[][] {{"lena@shared.test", "argon-both"}, {"omar@shared.test", "sha-both"}}) {
                    try (var c = new SmtpTestClient(server.address(TestServer.SUBMISSION).getPort())) {
                        c.reply();
                        c.send("EHLO client.test");
                        String wrong = Base64.getEncoder().encodeToString(("\0" + account[0] + "\0not-it")
                                .getBytes(StandardCharsets.UTF_8));
                        assertThat(c.send("AUTH PLAIN " + wrong).get(0)).startsWith("535");
                        String plain = Base64.getEncoder().encodeToString(("\0" + account[0] + "\0" + account[1])
                                .getBytes(StandardCharsets.UTF_8));
                        assertThat(c.send("AUTH PLAIN " + plain).get(0)).as(account[0]).startsWith("235");
                    }
                }
                try (var c = new SmtpTestClient(server.port())) {
                    c.reply();
                    c.send("EHLO contoso.com");
                    c.send("MAIL FROM:<chris@contoso.com>");
                    assertThat(c.send("RCPT TO:<sales@shared.test>").get(0)).startsWith("250");
                    assertThat(c.send("RCPT TO:<lena@shared.test>").get(0)).startsWith("250");
                    assertThat(c.send("RCPT TO:<nobody@shared.test>").get(0)).startsWith("550 5.1.1");
                    c.send("DATA");
                    assertThat(c.send("Subject: One row for both\r\n\r\nThrough the shared tables\r\n.").get(0))
                            .startsWith("250");
                }
                Await.until("delivered to Dovecot", Duration.ofSeconds(20), () -> pg.sql("mail",
                        "SELECT 'left=' || count(*) FROM mailflow_queue;"), out -> out.contains("left=0"));
                // The console's status lists the cluster's nodes (here one) with their heartbeats.
                String console = "http://127.0.0.1:" + server.runtime().web().address().getPort();
                var http = java.net.http.HttpClient.newHttpClient();
                var login = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(console + "/api/login"))
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"password\":\"admin-secret\"}"))
                        .header("Content-Type", "application/json").build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];
                var status = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(console + "/api/status"))
                        .header("Cookie", cookie).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                var nodes = dev.mailflow.queue.QueueJson.MAPPER.readTree(status.body()).path("nodes");
                assertThat(nodes).hasSize(1);
                assertThat(nodes.get(0).path("nodeId").asText()).isEqualTo("mx1");
                assertThat(nodes.get(0).path("alive").asBoolean()).isTrue();
                assertThat(nodes.get(0).path("self").asBoolean()).isTrue();
                String imap = Dovecot.imapFetch(python, tmp, imapPort, "kate@shared.test", "imap-and-smtp", 1);
                assertThat(imap).as("the row's password, in Dovecot").contains("messages: 1")
                        .contains("Subject: One row for both").contains("Through the shared tables");
                assertThat(Dovecot.imapFetch(python, tmp, imapPort, "lena@shared.test", "argon-both", 1))
                        .as("Mailflow's Argon2id hash, in Dovecot").contains("Subject: One row for both");
            } finally {
                dv.destroy();
                dv.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
