package dev.mailflow.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.queue.TrackingLog;
import dev.mailflow.testing.Await;
import dev.mailflow.testing.Dovecot;
import dev.mailflow.testing.ExternalTool;
import dev.mailflow.testing.SmtpTestClient;
import dev.mailflow.testing.TestServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local delivery over LMTP to a private Dovecot ({@code dovecot-lmtpd}, its socket in a temp
 * folder, its users in a passwd-file): two recipients in one transaction, the one Dovecot knows
 * delivered and read back over IMAP with Python's imaplib, the one it does not refused for that
 * recipient alone; then Dovecot stopped: the next message waits in the queue (4.4.1), and is
 * delivered when Dovecot is back.
 */
class DovecotLmtpTest {

    @TempDir
    Path tmp;

    @Test
    void mailForOurMailboxesGoesToDovecotOverLmtp() throws Exception {
        Path dovecot = ExternalTool.require("dovecot");
        Path python = ExternalTool.require("python3");
        ExternalTool.requireFile("/usr/lib/dovecot/lmtp", "dovecot-lmtpd");
        ExternalTool.requireRoot("Dovecot is started with its own configuration and mail user");
        Path base = tmp.resolve("dovecot");
        Path mail = base.resolve("mail");
        Files.createDirectories(mail);
        Dovecot.run(List.of("chown", "65534:65534", mail.toString()));
        Dovecot.run(List.of("chmod", "755", tmp.toString(), base.toString()));
        Files.writeString(base.resolve("users"), "kate@fabrikam.com:{PLAIN}secret:65534:65534::" + mail
                + "/fabrikam.com/kate::\n");
        int imapPort;
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            imapPort = s.getLocalPort();
        }
        Path socket = base.resolve("run/lmtp");
        Files.writeString(base.resolve("dovecot.conf"), Dovecot.settings(base, "imap lmtp") + """
                mail_location = maildir:~/Maildir
                passdb {
                  driver = passwd-file
                  args = scheme=PLAIN %1$s/users
                }
                userdb {
                  driver = passwd-file
                  args = %1$s/users
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
        Process dv = Dovecot.start(dovecot, base, socket);
        try (var server = TestServer.start(List.of(), List.of(), List.of("local = \"lmtp\"",
                "lmtp = \"unix:" + socket + "\""), List.of("retry_intervals = [\"1s\"]"))) {
            try (var c = new SmtpTestClient(server.port())) {
                c.reply();
                c.send("EHLO contoso.com");
                c.send("MAIL FROM:<chris@contoso.com>");
                assertThat(c.send("RCPT TO:<kate@fabrikam.com>").get(0)).startsWith("250");
                assertThat(c.send("RCPT TO:<postmaster@example.test>").get(0)).startsWith("250");
                c.send("DATA");
                assertThat(c.send("Subject: Over LMTP\r\n\r\nDelivered by Dovecot\r\n.").get(0)).startsWith("250 2.6.0");
            }
            var logs = server.dataDir().resolve("logs");
            var events = Await.until("a DELIVER and a FAIL event", () -> TrackingLog.search(logs, null,
                    e -> e.event().equals("DELIVER") || e.event().equals("FAIL")), l -> l.size() >= 2);
            assertThat(events).anySatisfy(e -> {
                assertThat(e.event()).isEqualTo("DELIVER");
                assertThat(e.recipients()).contains("kate@fabrikam.com");
                assertThat(e.toString()).contains("delivered to dovecot lmtp unix:" + socket);
            }).anySatisfy(e -> {
                assertThat(e.event()).isEqualTo("FAIL");
                assertThat(e.recipients()).contains("postmaster@example.test");
                assertThat(e.toString()).contains("5.1.1");
            });
            assertThat(server.delivered("kate@fabrikam.com")).as("nothing in Mailflow's own Maildir").isEmpty();
            String imap = Dovecot.imapFetch(python, tmp, imapPort, "kate@fabrikam.com", "secret", 1);
            assertThat(imap).contains("messages: 1").contains("Subject: Over LMTP").contains("Delivered by Dovecot")
                    .contains("Return-Path: <chris@contoso.com>")
                    .containsPattern("Received: from contoso\\.com \\(\\[127\\.0\\.0\\.1\\]\\)\r?\n\tby "
                            + "mail1\\.fabrikam\\.com with ESMTP id \\d+");

            // Dovecot down: the message waits (never lost, never bounced); back up, it is delivered.
            dv.destroy();
            dv.waitFor(10, TimeUnit.SECONDS);
            Files.deleteIfExists(socket);
            try (var c = new SmtpTestClient(server.port())) {
                c.reply();
                c.sendMessage("chris@contoso.com", "kate@fabrikam.com", "Subject: While Dovecot was down\r\n\r\nWaited");
            }
            var deferred = Await.until("kate's copy deferred", () -> TrackingLog.search(logs, null,
                    e -> e.event().equals("DEFER") && e.recipients().contains("kate@fabrikam.com")), l -> !l.isEmpty());
            assertThat(deferred.get(0).status()).isEqualTo("4.4.1");
            assertThat(deferred.get(0).detail()).contains("connect to the LMTP server unix:" + socket);
            dv = Dovecot.start(dovecot, base, socket);
            Await.until("the waiting message delivered", () -> TrackingLog.search(logs, null,
                    e -> e.event().equals("DELIVER")), l -> l.size() >= 2);
            assertThat(Dovecot.imapFetch(python, tmp, imapPort, "kate@fabrikam.com", "secret", 2)).contains("messages: 2");
        } finally {
            dv.destroy();
            dv.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
