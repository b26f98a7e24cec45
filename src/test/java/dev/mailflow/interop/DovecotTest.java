package dev.mailflow.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.testing.Dovecot;
import dev.mailflow.testing.ExternalTool;
import dev.mailflow.testing.SmtpTestClient;
import dev.mailflow.testing.TestServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dovecot (Debian's dovecot-imapd) reads the Maildir we deliver to, as it is, and Python's
 * imaplib fetches the message over IMAP: the seeds' "verify that the recipient received it".
 */
class DovecotTest {

    @TempDir
    Path tmp;

    @Test
    void dovecotServesWhatWeDelivered() throws Exception {
        Path dovecot = ExternalTool.require("dovecot");
        Path python = ExternalTool.require("python3");
        ExternalTool.requireRoot("Dovecot is started with its own configuration and mail user");
        try (var server = TestServer.start();
             var c = new SmtpTestClient(server.port())) {
            c.reply();
            c.send("EHLO contoso.com");
            c.send("MAIL FROM:<chris@contoso.com>");
            c.send("RCPT TO:<kate@fabrikam.com> NOTIFY=success,failure");
            c.send("DATA");
            assertThat(c.send("Subject: Test from Contoso\r\n\r\nThis is a test message\r\n.").get(0))
                    .startsWith("250 2.6.0");
            assertThat(server.awaitDelivered("kate@fabrikam.com", 1, Duration.ofSeconds(5))).hasSize(1);

            Path mailboxes = server.dataDir().resolve("mailboxes");
            String delivered;
            try (var files = Files.list(mailboxes.resolve("fabrikam.com/kate/new"))) {
                delivered = files.findFirst().orElseThrow().getFileName().toString();
            }
            String sizeTag = delivered.substring(delivered.indexOf(",S=") + 3);
            // Dovecot will not open mail as root: give the mailboxes to an ordinary user.
            Dovecot.run(List.of("chown", "-R", "65534:65534", mailboxes.toString()));
            Dovecot.run(List.of("chmod", "755", server.dataDir().getParent().toString(), server.dataDir().toString()));
            int port;
            try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            Path base = tmp.resolve("dovecot");
            Files.createDirectories(base);
            Path conf = base.resolve("dovecot.conf");
            Files.writeString(conf, Dovecot.settings(base, "imap") + """
                    mail_location = maildir:%2$s/%%d/%%n
                    passdb {
                      driver = static
                      args = password=secret
                    }
                    userdb {
                      driver = static
                      args = uid=65534 gid=65534 home=%2$s/%%d/%%n
                    }
                    service imap-login {
                      chroot =
                      inet_listener imap {
                        address = 127.0.0.1
                        port = %3$d
                      }
                    }
                    service anvil {
                      chroot =
                    }
                    """.formatted(base, mailboxes, port));
            var dv = new ProcessBuilder(dovecot.toString(), "-F", "-c", conf.toString())
                    .redirectErrorStream(true).redirectOutput(base.resolve("stdout.log").toFile()).start();
            try {
                waitForPort(port, dv, base);
                Path script = tmp.resolve("fetch.py");
                Files.writeString(script, """
                        import imaplib, sys
                        m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
                        m.login("kate@fabrikam.com", "secret")
                        typ, data = m.select("INBOX")
                        assert typ == "OK", data
                        print("messages:", data[0].decode())
                        typ, data = m.fetch("1", "(RFC822.SIZE)")
                        print("size:", data[0].decode())
                        typ, data = m.fetch("1", "(RFC822)")
                        sys.stdout.write(data[0][1].decode())
                        m.logout()
                        """);
                var p = new ProcessBuilder(python.toString(), script.toString(), String.valueOf(port))
                        .redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(p.exitValue()).as(out + "\n" + Dovecot.log(base)).isZero();
                assertThat(out).contains("messages: 1")
                        .as("Dovecot's size is the one our file name gives").contains("(RFC822.SIZE " + sizeTag + ")")
                        .contains("Return-Path: <chris@contoso.com>")
                        .contains("Delivered-To: kate@fabrikam.com")
                        .containsPattern("Received: from contoso\\.com \\(\\[127\\.0\\.0\\.1\\]\\)\r?\n\tby "
                                + "mail1\\.fabrikam\\.com with ESMTP id \\d+")
                        .contains("Subject: Test from Contoso")
                        .contains("This is a test message");
                assertThat(Dovecot.log(base)).doesNotContainIgnoringCase("mismatch").doesNotContainIgnoringCase("corrupt");
            } finally {
                dv.destroy();
                dv.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }


    private static void waitForPort(int port, Process p, Path base) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new AssertionError("dovecot ended: " + Files.readString(base.resolve("stdout.log")) + Dovecot.log(base));
            }
            try (var s = new Socket("127.0.0.1", port)) {
                return;
            } catch (java.io.IOException e) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("dovecot did not listen on " + port + ": " + Dovecot.log(base));
    }

}
