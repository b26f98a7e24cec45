package dev.mailflow.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.queue.TrackingLog;
import dev.mailflow.testing.Dnsmasq;
import dev.mailflow.testing.PostfixPeer;
import dev.mailflow.testing.SmtpTestClient;
import dev.mailflow.testing.TestServer;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mail to remote domains found by MX lookup against a real DNS server (dnsmasq) and delivered
 * to a real MTA (Postfix), both on loopback; the DSNs come back to the sender's mailbox, from
 * Mailflow (failures) or from Postfix itself (success, since Postfix offers DSN).
 */
class RemoteMtaInteropTest {

    @TempDir
    static Path tmp;

    static TestServer server;
    static Dnsmasq dns;
    static PostfixPeer postfix;

    @BeforeAll
    static void start() throws Exception {
        int dnsPort = Dnsmasq.freePort();
        int postfixPort = Dnsmasq.freePort();
        server = TestServer.start(List.of("relay_from = [\"127.0.0.0/8\"]"), List.of(),
                List.of("dns_server = \"127.0.0.1:" + dnsPort + "\"", "remote_port = " + postfixPort,
                        "command_timeout = \"10s\""),
                List.of("retry_intervals = [\"1s\"]"));
        dns = Dnsmasq.start(dnsPort, List.of("--mx-host=remote.test,mx.remote.test,10",
                "--mx-host=remote.test,mx2.remote.test,20",
                "--host-record=mx.remote.test,127.0.0.1", "--host-record=mx2.remote.test,127.0.0.1",
                "--dns-rr=nullmx.test,15,000000", "--mx-host=loop.test,mail1.fabrikam.com,10",
                "--host-record=mail1.fabrikam.com,127.0.0.1"), tmp.resolve("dnsmasq.log"));
        postfix = PostfixPeer.start(tmp.resolve("postfix"), postfixPort, "remote.test", List.of("user@remote.test"),
                server.port());
    }

    @AfterAll
    static void stop() throws Exception {
        if (postfix != null) {
            postfix.close();
        }
        if (dns != null) {
            dns.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static String send(String rcptLine, String subject) throws Exception {
        try (var c = new SmtpTestClient(server.port())) {
            c.reply();
            String reply = c.acceptedTransaction("contoso.com", "kate@fabrikam.com", rcptLine,
                    "Subject: " + subject + "\r\n\r\nThis is a test message");
            assertThat(reply).startsWith("250 2.6.0");
            return reply.replaceAll(".*InternalId=(\\d+),.*", "$1");
        }
    }

    private static <T> T await(Callable<T> value, java.util.function.Predicate<T> done, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        T v = value.call();
        while (!done.test(v) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            v = value.call();
        }
        assertThat(done.test(v)).as(what + "\n" + postfix.log()).isTrue();
        return v;
    }

    /** kate's DSNs whose Subject starts so. */
    private static String dsnFor(String subject) throws Exception {
        return await(() -> {
            for (Path p : server.delivered("kate@fabrikam.com")) {
                String text = Files.readString(p, StandardCharsets.UTF_8);
                if (text.contains(subject)) {
                    return text;
                }
            }
            return null;
        }, t -> t != null, "a DSN about '" + subject + "' in kate's mailbox");
    }

    @Test
    void deliveredThroughMxLookupWithASuccessNoticeFromPostfix() throws Exception {
        send("RCPT TO:<user@remote.test> NOTIFY=success,failure", "Test from Contoso");
        var files = await(() -> postfix.delivered("remote.test", "user"), l -> !l.isEmpty(), "delivered to Postfix");
        String received = Files.readString(files.get(0), StandardCharsets.UTF_8);
        assertThat(received).contains("Subject: Test from Contoso").contains("This is a test message")
                .containsPattern("Received: from contoso\\.com \\(\\[127\\.0\\.0\\.1\\]\\)\r?\n\tby mail1\\.fabrikam\\.com");
        // Postfix may store the message before our side has logged the SEND: wait for it.
        var sent = await(() -> TrackingLog.search(server.dataDir().resolve("logs"), null,
                e -> e.event().equals("SEND")), l -> !l.isEmpty(), "a SEND event");
        assertThat(sent.get(0).remoteMta()).isEqualTo("mx.remote.test");
        assertThat(sent.get(0).detail()).startsWith("mx.remote.test[127.0.0.1]:").contains(" accepted the message: 250 2.0.0");
        String dsn = dsnFor("Test from Contoso");
        assertThat(dsn).contains("report-type=delivery-status").containsIgnoringCase("Action: delivered")
                .contains("user@remote.test");
        var message = new MimeMessage(Session.getInstance(new Properties()),
                new java.io.ByteArrayInputStream(dsn.getBytes(StandardCharsets.UTF_8)));
        assertThat(message.getContentType()).startsWith("multipart/report");
        assertThat(((Multipart) message.getContent()).getCount()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void unknownRemoteUserGivesAFailureNoticeQuotingTheReply() throws Exception {
        send("RCPT TO:<nobody@remote.test>", "To nobody");
        String dsn = dsnFor("Undeliverable: To nobody");
        assertThat(dsn).contains("Delivery has failed to these recipients or groups:")
                .contains("Remote server returned '550 5.1.1").contains("Status: 5.1.1")
                .contains("Remote-MTA: dns; mx.remote.test").contains("Diagnostic-Code: smtp; 550 5.1.1")
                .contains("From: Mail Delivery System <MAILER-DAEMON@mail1.fabrikam.com>");
        var message = new MimeMessage(Session.getInstance(new Properties()),
                new java.io.ByteArrayInputStream(dsn.getBytes(StandardCharsets.UTF_8)));
        var parts = (Multipart) message.getContent();
        assertThat(parts.getCount()).isEqualTo(3);
        assertThat(parts.getBodyPart(0).getContentType()).startsWith("text/plain");
        assertThat(parts.getBodyPart(1).getContentType()).startsWith("message/delivery-status");
        assertThat(parts.getBodyPart(2).getContentType()).startsWith("text/rfc822-headers");
    }

    @Test
    void nullMxFailsAtOnce() throws Exception {
        String id = send("RCPT TO:<someone@nullmx.test>", "To a null MX");
        String dsn = dsnFor("Undeliverable: To a null MX");
        assertThat(dsn).contains("Status: 5.1.10").contains("accepts no mail (null MX");
        var events = await(() -> TrackingLog.search(server.dataDir().resolve("logs"), null,
                e -> e.id() == Long.parseLong(id)), l -> l.stream().anyMatch(e -> e.event().equals("DSN")),
                "the FAIL and DSN events");
        assertThat(events).extracting(e -> e.event()).contains("FAIL", "DSN").doesNotContain("DEFER");
    }

    @Test
    void notifyNeverGivesNoNotice() throws Exception {
        String id = send("RCPT TO:<nobody2@remote.test> NOTIFY=NEVER", "Never tell");
        await(() -> TrackingLog.search(server.dataDir().resolve("logs"), null,
                e -> e.id() == Long.parseLong(id) && e.event().equals("FAIL")), l -> !l.isEmpty(), "failed");
        Thread.sleep(1000);
        var events = TrackingLog.search(server.dataDir().resolve("logs"), null, e -> e.id() == Long.parseLong(id));
        assertThat(events).extracting(e -> e.event()).doesNotContain("DSN");
        for (Path p : server.delivered("kate@fabrikam.com")) {
            assertThat(Files.readString(p)).doesNotContain("Never tell");
        }
    }

    @Test
    void aDomainWhoseBestMxIsThisServerFailsAsALoop() throws Exception {
        send("RCPT TO:<someone@loop.test>", "Round and round");
        String dsn = dsnFor("Undeliverable: Round and round");
        assertThat(dsn).contains("Status: 5.4.6").contains("loops back to myself");
    }
}
