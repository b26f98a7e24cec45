package dev.mailflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.queue.Envelope;
import dev.mailflow.queue.FileQueueStore;
import dev.mailflow.smtp.BodyType;
import dev.mailflow.smtp.DsnNotify;
import dev.mailflow.smtp.DsnReturn;
import dev.mailflow.testing.SmtpTestClient;
import dev.mailflow.testing.TestServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Behaviour seen from outside that a transcript cannot show: files, several connections. */
class ServerBehaviourTest {

    @Test
    void queuedMessageKeepsContentAndTheWholeEnvelope() throws Exception {
        try (var server = TestServer.receiveOnly(List.of()); var c = new SmtpTestClient(server.port())) {
            assertThat(c.reply().get(0)).startsWith("220 ");
            c.send("EHLO contoso.com");
            assertThat(c.send("MAIL FROM:<chris@contoso.com> SIZE=60 BODY=8BITMIME RET=HDRS ENVID=QQ+2B1"))
                    .containsExactly("250 2.1.0 Sender OK");
            assertThat(c.send("RCPT TO:<kate@fabrikam.com> NOTIFY=success,failure ORCPT=rfc822;kate@fabrikam.com"))
                    .containsExactly("250 2.1.5 Recipient OK");
            assertThat(c.send("RCPT TO:<postmaster@example.test> NOTIFY=NEVER")).containsExactly("250 2.1.5 Recipient OK");
            c.send("DATA");
            var reply = c.send("Message-ID: <abc@contoso.com>\r\nSubject: t\r\n\r\n..dot\r\nline\r\n.");
            assertThat(reply.get(0)).matches("250 2\\.6\\.0 <abc@contoso\\.com> \\[InternalId=(\\d+), .*");
            long id = Long.parseLong(reply.get(0).replaceAll(".*InternalId=(\\d+),.*", "$1"));

            var queued = server.queuedMessages();
            assertThat(queued).hasSize(1);
            var store = new FileQueueStore(server.dataDir().resolve("queue"));
            try (var in = store.openContent(id)) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(
                        "Message-ID: <abc@contoso.com>\r\nSubject: t\r\n\r\n.dot\r\nline\r\n");
            }
            Envelope env = store.load(id).envelope();
            assertThat(env.internalId()).isEqualTo(id);
            assertThat(env.messageId()).isEqualTo("<abc@contoso.com>");
            assertThat(env.messageIdGenerated()).isFalse();
            assertThat(env.heloName()).isEqualTo("contoso.com");
            assertThat(env.protocol()).isEqualTo("ESMTP");
            assertThat(env.connector()).isEqualTo(TestServer.FRONTEND);
            assertThat(env.clientAddress()).isEqualTo("127.0.0.1");
            assertThat(env.sender().toString()).isEqualTo("chris@contoso.com");
            assertThat(env.parameters().body()).isEqualTo(BodyType.EIGHT_BIT_MIME);
            assertThat(env.parameters().ret()).isEqualTo(DsnReturn.HDRS);
            assertThat(env.parameters().envId()).isEqualTo("QQ+2B1");
            assertThat(env.parameters().size()).isEqualTo(60);
            assertThat(env.recipients()).hasSize(2);
            assertThat(env.recipients().get(0).parameters().notifyOn())
                    .isEqualTo(Set.of(DsnNotify.SUCCESS, DsnNotify.FAILURE));
            assertThat(env.recipients().get(0).parameters().orcpt()).isEqualTo("rfc822;kate@fabrikam.com");
            assertThat(env.recipients().get(1).parameters().notifyOn()).isEqualTo(Set.of(DsnNotify.NEVER));
            assertThat(env.size()).isEqualTo(
                    "Message-ID: <abc@contoso.com>\r\nSubject: t\r\n\r\n.dot\r\nline\r\n".length());
            // nothing is left half-written
            assertThat(Files.list(server.dataDir().resolve("queue/incoming")).count()).isZero();
        }
    }

    @Test
    void refusedMessagesLeaveNothingInTheQueue() throws Exception {
        try (var server = TestServer.start(); var c = new SmtpTestClient(server.port())) {
            c.reply();
            c.send("HELO contoso.com");
            c.send("MAIL FROM:<chris@contoso.com>");
            c.send("RCPT TO:<kate@fabrikam.com>");
            c.send("DATA");
            assertThat(c.send("bare\nlf\r\n.").get(0)).startsWith("550 5.6.0");
            c.send("MAIL FROM:<chris@contoso.com>");
            c.send("RCPT TO:<kate@fabrikam.com>");
            c.send("DATA");
            c.out.write("Subject: dropped\r\n".getBytes(StandardCharsets.US_ASCII));
            c.out.flush();
            c.socket.close();
            Thread.sleep(200);
            assertThat(server.queuedMessages()).isEmpty();
            assertThat(Files.list(server.dataDir().resolve("queue/incoming")).count()).isZero();
        }
    }

    @Test
    void protocolLogHasBothDirectionsButNoContent() throws Exception {
        try (var server = TestServer.start()) {
            try (var c = new SmtpTestClient(server.port())) {
                c.reply();
                c.send("EHLO contoso.com");
                c.send("MAIL FROM:<chris@contoso.com>");
                c.send("RCPT TO:<kate@fabrikam.com>");
                c.send("DATA");
                c.send("Subject: secret subject\r\n\r\nsecret body\r\n.");
                c.send("QUIT");
            }
            var logFile = server.server().connector(TestServer.FRONTEND).protocolLog().currentFile();
            // The session's last lines are written as it closes, on the server's thread.
            String log = dev.mailflow.testing.Await.until("the end of the session in the protocol log",
                    () -> Files.exists(logFile) ? Files.readString(logFile) : "", l -> l.contains(",-,"));
            assertThat(log).contains(",Default Frontend,").contains(",127.0.0.1:")
                    .contains(",<,EHLO contoso.com").contains(",>,250-mail1.fabrikam.com Hello [127.0.0.1]")
                    .contains(",<,MAIL FROM:<chris@contoso.com>").contains(",>,250 2.1.0 Sender OK")
                    .contains("octets of message content (not logged)")
                    .contains(",>,221 2.0.0 Service closing transmission channel")
                    .contains(",+,").contains(",-,")
                    .doesNotContain("secret");
            assertThat(log.lines()).allMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT[^,]+Z,Default Frontend,[^,]+,"
                    + "127\\.0\\.0\\.1:\\d+,127\\.0\\.0\\.1:\\d+,[-+<>*],.*"));
        }
    }

    @Test
    void connectionLimitPerClientAddress() throws Exception {
        try (var server = TestServer.start(List.of("max_connections_per_ip = 2"), List.of());
             var a = new SmtpTestClient(server.port()); var b = new SmtpTestClient(server.port());
             var c = new SmtpTestClient(server.port())) {
            assertThat(a.reply().get(0)).startsWith("220 ");
            assertThat(b.reply().get(0)).startsWith("220 ");
            assertThat(c.reply()).containsExactly(
                    "421 4.7.0 mail1.fabrikam.com Too many connections from your address, try again later");
            assertThat(c.in.readLine()).isNull();
            a.send("QUIT");
            // The slot is given back when the server's side of the session ends: wait for it.
            dev.mailflow.testing.Await.until("a new connection served after one closed", () -> {
                try (var d = new SmtpTestClient(server.port())) {
                    return d.reply().get(0).startsWith("220 ");
                }
            });
        }
    }

    @Test
    void connectionLimitInAll() throws Exception {
        try (var server = TestServer.start(List.of("max_connections = 1"), List.of());
             var a = new SmtpTestClient(server.port()); var b = new SmtpTestClient(server.port())) {
            assertThat(a.reply().get(0)).startsWith("220 ");
            assertThat(b.reply()).containsExactly(
                    "421 4.3.2 mail1.fabrikam.com Service not available, too many connections, try again later");
        }
    }

    @Test
    void shutdownLetsATransactionInFlightFinish() throws Exception {
        var server = TestServer.start();
        try (var c = new SmtpTestClient(server.port())) {
            c.reply();
            c.send("HELO contoso.com");
            c.send("MAIL FROM:<chris@contoso.com>");
            c.send("RCPT TO:<kate@fabrikam.com>");
            c.send("DATA");
            var stopper = Thread.ofVirtual().start(() -> server.server().shutdown(Duration.ofSeconds(5)));
            // new connections are refused while the old one finishes
            dev.mailflow.testing.Await.until("new connections refused during shutdown", () -> {
                try (var s = new Socket("127.0.0.1", server.port())) {
                    return false;
                } catch (java.net.ConnectException e) {
                    return true;
                }
            });
            assertThat(c.send("Subject: in flight\r\n\r\nbody\r\n.").get(0)).startsWith("250 2.6.0");
            assertThat(c.send("QUIT")).containsExactly("221 2.0.0 Service closing transmission channel");
            stopper.join(Duration.ofSeconds(6));
            assertThat(server.awaitDelivered("kate@fabrikam.com", 1, Duration.ofSeconds(5))).hasSize(1);
        } finally {
            server.close();
        }
    }

    @Test
    void failedAuthenticationsAreLimitedPerAddressAcrossConnections() throws Exception {
        try (var server = TestServer.start(List.of("tls = \"off\"", "allow_insecure_auth = true",
                "max_auth_failures = 100"), List.of())) {
            String wrong = "AUTH PLAIN " + java.util.Base64.getEncoder().encodeToString(
                    "\0kate@fabrikam.com\0wrong".getBytes(StandardCharsets.UTF_8));
            String right = "AUTH PLAIN " + java.util.Base64.getEncoder().encodeToString(
                    "\0kate@fabrikam.com\0secret".getBytes(StandardCharsets.UTF_8));
            for (int conn = 0; conn < 5; conn++) {
                try (var c = new SmtpTestClient(server.port())) {
                    c.socket.setSoTimeout(20_000);
                    c.reply();
                    c.send("EHLO contoso.com");
                    for (int i = 0; i < 2; i++) {
                        assertThat(c.send(wrong).get(0)).startsWith("535 5.7.8");
                    }
                }
            }
            try (var c = new SmtpTestClient(server.port())) {
                c.reply();
                c.send("EHLO contoso.com");
                assertThat(c.send(right)).as("blocked even with the right password")
                        .containsExactly("454 4.7.0 Temporary authentication failure: too many failures from your "
                                + "address, try again later");
            }
        }
    }
}
