package dev.mailflow.directory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.server.auth.Passwords;
import dev.mailflow.testing.Postgres;
import dev.mailflow.testing.SmtpTestClient;
import dev.mailflow.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The directory in a private PostgreSQL, in PostfixAdmin's tables: RCPT and AUTH answered from
 * them (inactive rows are not there, the catch-all is the "@domain" alias, Dovecot's
 * {BLF-CRYPT} hashes check); with the database stopped, cached answers still serve and new
 * questions get 451 4.3.0 (RCPT) and 454 4.7.0 (AUTH), never a 550; started again, it answers.
 */
class PostgresDirectoryTest {

    @TempDir
    Path tmp;

    private static String plain(String user, String password) {
        return Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void rcptAndAuthComeFromPostfixAdminTablesAndWaitWhenTheDatabaseIsDown() throws Exception {
        try (var pg = Postgres.start(tmp)) {
            pg.sql("postgres", "CREATE ROLE mailflow LOGIN PASSWORD 'db-secret'; CREATE DATABASE mail OWNER mailflow;");
            String hash = Passwords.hash("secret".toCharArray());
            pg.sql("mail", """
                    CREATE TABLE domain (domain varchar(255) PRIMARY KEY, active boolean NOT NULL DEFAULT true);
                    CREATE TABLE mailbox (username varchar(255) PRIMARY KEY, password varchar(255) NOT NULL,
                        quota bigint NOT NULL DEFAULT 0, domain varchar(255), active boolean NOT NULL DEFAULT true);
                    CREATE TABLE alias (address varchar(255) PRIMARY KEY, goto text NOT NULL,
                        domain varchar(255), active boolean NOT NULL DEFAULT true);
                    INSERT INTO domain VALUES ('db.test', true), ('catch.test', true), ('gone.test', false);
                    INSERT INTO mailbox VALUES ('kate@db.test', '{BLF-CRYPT}%s', 0, 'db.test', true),
                        ('old@db.test', '{PLAIN}x', 0, 'db.test', false),
                        ('postmaster@db.test', '{PLAIN}pm', 0, 'db.test', true),
                        ('legacy@db.test', '$1$abcdefgh$Zx6pPfJYe6lLAs0yBk4iF.', 0, 'db.test', true),
                        ('bare@db.test', 'secret', 0, 'db.test', true);
                    INSERT INTO alias VALUES ('kate@db.test', 'kate@db.test', 'db.test', true),
                        ('team@db.test', 'kate@db.test,postmaster@db.test', 'db.test', true),
                        ('@catch.test', 'kate@db.test', 'catch.test', true);
                    GRANT SELECT ON domain, mailbox, alias TO mailflow;
                    """.formatted(hash));
            Path passwordFile = tmp.resolve("db.password");
            Files.writeString(passwordFile, "db-secret\n");
            try (var server = TestServer.start(List.of("allow_insecure_auth = true"), List.of("[directory]",
                    "provider = \"postgresql\"", "url = \"" + pg.url("mail") + "\"", "user = \"mailflow\"",
                    "password_file = \"" + passwordFile + "\"", "cache_ttl = \"1s\"", "cache_grace = \"1h\""))) {
                try (var c = new SmtpTestClient(server.port())) {
                    c.reply();
                    c.send("EHLO contoso.com");
                    c.send("MAIL FROM:<chris@contoso.com>");
                    // In another case first: the lookup and its cached answer are the lower-case address's.
                    assertThat(c.send("RCPT TO:<KATE@DB.Test>").get(0)).startsWith("250");
                    assertThat(c.send("RCPT TO:<kate@db.test>").get(0)).startsWith("250");
                    assertThat(c.send("RCPT TO:<Team@db.test>").get(0)).startsWith("250");
                    assertThat(c.send("RCPT TO:<team@db.test>").get(0)).startsWith("250");
                    assertThat(c.send("RCPT TO:<anyone@catch.test>").get(0)).startsWith("250");
                    assertThat(c.send("RCPT TO:<old@db.test>").get(0)).startsWith("550 5.1.1");
                    assertThat(c.send("RCPT TO:<nobody@db.test>").get(0)).startsWith("550 5.1.1");
                    assertThat(c.send("RCPT TO:<kate@gone.test>").get(0)).startsWith("550 5.7.54");
                    assertThat(c.send("RCPT TO:<kate@fabrikam.com>").get(0)).as("the file's mailboxes are not used")
                            .startsWith("550");
                    c.send("DATA");
                    assertThat(c.send("Subject: from the database\r\n\r\nhello\r\n.").get(0)).startsWith("250");
                }
                // kate is reached three ways (direct, team, catch-all): one copy.
                dev.mailflow.testing.Await.until("the message finished", () -> server.queuedMessages().isEmpty());
                assertThat(server.delivered("kate@db.test")).hasSize(1);
                assertThat(server.delivered("postmaster@db.test")).hasSize(1);
                try (var c = new SmtpTestClient(server.address(TestServer.SUBMISSION).getPort())) {
                    c.reply();
                    c.send("EHLO client.test");
                    assertThat(c.send("AUTH PLAIN " + plain("kate@db.test", "secret")).get(0)).startsWith("235");
                }
                // A stored value that is no hash Mailflow checks never works as the password itself.
                for (String[] row : new String[][] {{"legacy@db.test", "$1$abcdefgh$Zx6pPfJYe6lLAs0yBk4iF."},
                    {"bare@db.test", "secret"}}) {
                    try (var c = new SmtpTestClient(server.address(TestServer.SUBMISSION).getPort())) {
                        c.reply();
                        c.send("EHLO client.test");
                        assertThat(c.send("AUTH PLAIN " + plain(row[0], row[1])).get(0)).as(row[0]).startsWith("535");
                    }
                }

                pg.stop();
                Thread.sleep(1_200); // past cache_ttl: only the grace period keeps the answers
                try (var c = new SmtpTestClient(server.port())) {
                    c.reply();
                    c.send("EHLO contoso.com");
                    c.send("MAIL FROM:<chris@contoso.com>");
                    assertThat(c.send("RCPT TO:<kate@db.test>").get(0)).as("cached, within the grace")
                            .startsWith("250");
                    assertThat(c.send("RCPT TO:<new@db.test>").get(0))
                            .isEqualTo("451 4.3.0 Directory temporarily unavailable, please try again later");
                    assertThat(c.send("RCPT TO:<someone@other.test>").get(0)).startsWith("451 4.3.0");
                    assertThat(c.send("NOOP").get(0)).as("the session goes on").startsWith("250");
                }
                try (var c = new SmtpTestClient(server.address(TestServer.SUBMISSION).getPort())) {
                    c.reply();
                    c.send("EHLO client.test");
                    assertThat(c.send("AUTH PLAIN " + plain("ann@db.test", "x")).get(0))
                            .isEqualTo("454 4.7.0 Temporary authentication failure");
                }

                pg.startAgain();
                Thread.sleep(5_500); // the directory leaves a failed database alone for five seconds
                try (var c = new SmtpTestClient(server.port())) {
                    c.reply();
                    c.send("EHLO contoso.com");
                    c.send("MAIL FROM:<chris@contoso.com>");
                    assertThat(c.send("RCPT TO:<new@db.test>").get(0)).startsWith("550 5.1.1");
                }
            }
            // check tries the configured queries: pgsql_table(5)'s quoted '%s' has no parameter to bind here.
            Path broken = tmp.resolve("broken.toml");
            Files.writeString(broken, "[directory]\nprovider = \"postgresql\"\nurl = \"" + pg.url("mail")
                    + "\"\nuser = \"mailflow\"\npassword_file = \"" + passwordFile + "\"\n"
                    + "mailbox_query = \"SELECT username, password FROM mailbox WHERE username = '%s'\"\n");
            var check = dev.mailflow.testing.MainRunner.run("check", "--config", broken.toString());
            assertThat(check.code()).as(check.out() + check.err()).isEqualTo(2);
            assertThat(check.out()).contains("directory: a lookup is WRONG: mailbox_query fails: ");
        }
    }
}
