package dev.mailflow.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.testing.ScriptedPeer;
import dev.mailflow.testing.SmtpTestClient;
import dev.mailflow.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Remote delivery against a scripted next hop that misbehaves on purpose. Mail goes to an
 * address literal, {@code user@[127.0.0.1]}, so no DNS is involved; the sender is kate, a
 * local mailbox, so the DSNs land where the test can read them.
 */
class RemoteDeliveryTest {

    private static TestServer server(ScriptedPeer peer) throws Exception {
        return TestServer.start(List.of("relay_from = [\"127.0.0.0/8\"]"), List.of(),
                List.of("remote_port = " + peer.port(), "command_timeout = \"2s\"", "connect_timeout = \"2s\""),
                List.of("retry_intervals = [\"300ms\"]", "lifetime = \"1h\""));
    }

    private static String send(TestServer server, String rcptLine, String message) throws Exception {
        try (var c = new SmtpTestClient(server.port())) {
            c.reply();
            return c.acceptedTransaction("contoso.com", "kate@fabrikam.com", rcptLine, message);
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(condition.getAsBoolean()).as(what).isTrue();
    }

    private static boolean hasMail(TestServer server) {
        try {
            return !server.delivered("kate@fabrikam.com").isEmpty();
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static List<String> katesMail(TestServer server) throws Exception {
        var list = new java.util.ArrayList<String>();
        for (Path p : server.delivered("kate@fabrikam.com")) {
            list.add(Files.readString(p, StandardCharsets.UTF_8));
        }
        return list;
    }

    @Test
    void temporaryFailuresAreRetriedAndDeliveredOnce() throws Exception {
        try (var peer = new ScriptedPeer(new ScriptedPeer.Script() {
            @Override
            public String greeting(int session) {
                return session == 1 ? "421 4.3.2 peer.test busy, try later" : "220 peer.test ESMTP";
            }

            @Override
            public String rcpt(int session, String line) {
                return session == 2 ? "451 4.7.1 greylisted, try again later" : "250 2.1.5 Ok";
            }
        }); var server = server(peer)) {
            assertThat(send(server, "RCPT TO:<user@[127.0.0.1]>", "Subject: retried\r\n\r\nbody")).startsWith("250 2.6.0");
            await(() -> peer.accepted().size() == 1, "delivered after two refusals");
            Thread.sleep(1000);
            assertThat(peer.accepted()).hasSize(1);
            assertThat(peer.sessions()).isEqualTo(3);
            var got = peer.accepted().get(0);
            assertThat(got.mailFrom()).startsWith("MAIL FROM:<kate@fabrikam.com>").contains("SIZE=");
            assertThat(got.content()).startsWith("Received: from contoso.com ([127.0.0.1])\r\n\tby mail1.fabrikam.com "
                    + "with ESMTP id ").contains("Subject: retried\r\n\r\nbody");
            assertThat(katesMail(server)).as("no DSN without a failure or NOTIFY=SUCCESS").isEmpty();
        }
    }

    @Test
    void a5xxAtEndOfDataSendsAFailureDsnQuotingTheReply() throws Exception {
        try (var peer = new ScriptedPeer(new ScriptedPeer.Script() {
            @Override
            public String endOfData(int session) {
                return "552 5.3.4 Message size exceeds fixed limit";
            }
        }); var server = server(peer)) {
            send(server, "RCPT TO:<user@[127.0.0.1]> NOTIFY=FAILURE", "Subject: too big\r\n\r\nbody");
            await(() -> hasMail(server), "failure DSN in kate's mailbox");
            String dsn = katesMail(server).get(0);
            assertThat(dsn).contains("Subject: Undeliverable: too big")
                    .contains("Content-Type: multipart/report; report-type=delivery-status")
                    .contains("Remote server returned '552 5.3.4 Message size exceeds fixed limit'")
                    .contains("Action: failed").contains("Status: 5.3.4")
                    .contains("Diagnostic-Code: smtp; 552 5.3.4 Message size exceeds fixed limit")
                    .contains("Return-Path: <>");
            // The bounce is delivered before the original's queue files are removed: wait for both.
            await(() -> {
                try {
                    return server.queuedMessages().isEmpty();
                } catch (java.io.IOException e) {
                    return false;
                }
            }, "the queue empty after the bounce");
        }
    }

    @Test
    void aConnectionDroppedInDataIsDeferredThenDeliveredOnce() throws Exception {
        try (var peer = new ScriptedPeer(new ScriptedPeer.Script() {
            @Override
            public boolean dropInData(int session) {
                return session == 1;
            }
        }); var server = server(peer)) {
            send(server, "RCPT TO:<user@[127.0.0.1]>", "Subject: dropped once\r\n\r\nbody");
            await(() -> peer.accepted().size() == 1, "delivered on the second try");
            Thread.sleep(800);
            assertThat(peer.accepted()).hasSize(1);
        }
    }

    @Test
    void aSilentPeerTimesOutAndIsTriedAgain() throws Exception {
        try (var peer = new ScriptedPeer(new ScriptedPeer.Script() {
            @Override
            public long delayEndOfData(int session) {
                return session == 1 ? 4000 : 0;
            }
        }); var server = server(peer)) {
            send(server, "RCPT TO:<user@[127.0.0.1]>", "Subject: slow\r\n\r\nbody");
            await(() -> peer.sessions() >= 2, "a second attempt after the timeout");
            var track = dev.mailflow.testing.Await.until("a DEFER event",
                    () -> dev.mailflow.queue.TrackingLog.search(server.dataDir().resolve("logs"), null,
                            e -> e.event().equals("DEFER")), l -> !l.isEmpty());
            assertThat(track.get(0).status()).isEqualTo("4.4.2");
            assertThat(track.get(0).detail()).contains("timed out");
        }
    }

    @Test
    void aPeerWithoutDsnGetsNoDsnParametersAndTheSenderARelayedNotice() throws Exception {
        try (var peer = new ScriptedPeer(new ScriptedPeer.Script() {
            @Override
            public List<String> extensions(int session) {
                return List.of("PIPELINING", "8BITMIME");
            }
        }); var server = server(peer)) {
            send(server, "RCPT TO:<user@[127.0.0.1]> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;user@[127.0.0.1]",
                    "Subject: hello\r\n\r\nbody");
            await(() -> hasMail(server), "success (relayed) DSN");
            assertThat(peer.commands()).anyMatch(c -> c.startsWith("RCPT TO:<user@[127.0.0.1]>"))
                    .noneMatch(c -> c.contains("NOTIFY=") || c.contains("ORCPT="));
            String dsn = katesMail(server).get(0);
            assertThat(dsn).contains("Subject: Delivered: hello").contains("Action: relayed")
                    .contains("Original-Recipient: rfc822; user@[127.0.0.1]");
        }
    }

    @Test
    void aPeerWithDsnGetsTheParametersAndSendsTheNoticeItself() throws Exception {
        try (var peer = new ScriptedPeer(new ScriptedPeer.Script() { });
             var server = server(peer)) {
            try (var c = new SmtpTestClient(server.port())) {
                c.reply();
                c.send("EHLO contoso.com");
                c.send("MAIL FROM:<kate@fabrikam.com> RET=HDRS ENVID=QQ314159");
                c.send("RCPT TO:<user@[127.0.0.1]> NOTIFY=SUCCESS");
                c.send("DATA");
                c.send("Subject: passed on\r\n\r\nbody\r\n.");
            }
            await(() -> peer.accepted().size() == 1, "delivered");
            assertThat(peer.accepted().get(0).mailFrom()).contains("RET=HDRS").contains("ENVID=QQ314159");
            assertThat(peer.accepted().get(0).rcptTo().get(0)).contains("NOTIFY=SUCCESS")
                    .contains("ORCPT=rfc822;user@[127.0.0.1]");
            Thread.sleep(500);
            assertThat(katesMail(server)).as("the next hop notifies, not us").isEmpty();
        }
    }

    @Test
    void eightBitBodiesAreConvertedForAPeerWithout8bitmime() throws Exception {
        try (var peer = new ScriptedPeer(new ScriptedPeer.Script() {
            @Override
            public List<String> extensions(int session) {
                return List.of("PIPELINING");
            }
        }); var server = server(peer)) {
            send(server, "RCPT TO:<user@[127.0.0.1]>", "Subject: plain header\r\nMIME-Version: 1.0\r\n"
                    + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                    + "Gr\u00fc\u00dfe aus K\u00f6ln, na\u00efve caf\u00e9");
            await(() -> peer.accepted().size() == 1, "delivered after conversion");
            String got = peer.accepted().get(0).content();
            assertThat(got).contains("Content-Transfer-Encoding: quoted-printable").contains("Gr=C3=BC=C3=9Fe aus K=C3=B6ln")
                    .contains("Subject: plain header");
            assertThat(got.chars().allMatch(c -> c < 128)).as("7-bit on the wire").isTrue();
            assertThat(peer.accepted().get(0).mailFrom()).doesNotContain("BODY=8BITMIME");
        }
    }

    @Test
    void eightBitHeadersToAPeerWithout8bitmimeFailClearly() throws Exception {
        try (var peer = new ScriptedPeer(new ScriptedPeer.Script() {
            @Override
            public List<String> extensions(int session) {
                return List.of("PIPELINING");
            }
        }); var server = server(peer)) {
            send(server, "RCPT TO:<user@[127.0.0.1]>", "Subject: caf\u00e9\r\n\r\nna\u00efve");
            await(() -> hasMail(server), "failure DSN");
            assertThat(katesMail(server).get(0)).contains("Status: 5.6.3").contains("does not offer 8BITMIME")
                    .contains("8-bit headers need SMTPUTF8");
            assertThat(peer.accepted()).isEmpty();
        }
    }

    @Test
    void noBounceOfABounce() throws Exception {
        try (var peer = new ScriptedPeer(new ScriptedPeer.Script() {
            @Override
            public String rcpt(int session, String line) {
                return "550 5.1.1 User unknown";
            }
        }); var server = server(peer)) {
            try (var c = new SmtpTestClient(server.port())) {
                c.reply();
                c.send("EHLO contoso.com");
                c.send("MAIL FROM:<>");
                c.send("RCPT TO:<user@[127.0.0.1]>");
                c.send("DATA");
                assertThat(c.send("Subject: a bounce\r\n\r\nbody\r\n.").get(0)).startsWith("250 2.6.0");
            }
            await(() -> {
                try {
                    return !server.runtime().store().list(dev.mailflow.queue.QueueState.HOLD).isEmpty();
                } catch (java.io.IOException e) {
                    return false;
                }
            }, "the failed bounce is kept on hold");
            assertThat(katesMail(server)).isEmpty();
            assertThat(peer.sessions()).isEqualTo(1);
        }
    }

    @Test
    void aDelayNoticeAfterTheWarningTimeThenAFailureAtExpiry() throws Exception {
        try (var peer = new ScriptedPeer(new ScriptedPeer.Script() {
            @Override
            public String rcpt(int session, String line) {
                return "451 4.4.3 try later";
            }
        }); var server = TestServer.start(List.of("relay_from = [\"127.0.0.0/8\"]"), List.of(),
                List.of("remote_port = " + peer.port(), "command_timeout = \"2s\""),
                List.of("retry_intervals = [\"300ms\"]", "delay_warning = \"1s\"", "lifetime = \"3s\""))) {
            send(server, "RCPT TO:<user@[127.0.0.1]> NOTIFY=DELAY,FAILURE", "Subject: waiting\r\n\r\nbody");
            await(() -> hasMail(server), "delay DSN");
            String delay = katesMail(server).get(0);
            assertThat(delay).contains("Subject: Delivery delayed: waiting").contains("Action: delayed")
                    .contains("Status: 4.4.3").contains("Will-Retry-Until: ");
            await(() -> {
                try {
                    return server.delivered("kate@fabrikam.com").size() == 2;
                } catch (java.io.IOException e) {
                    return false;
                }
            }, "failure DSN at expiry");
            Thread.sleep(700);
            var all = katesMail(server);
            assertThat(all).hasSize(2);
            assertThat(all).anySatisfy(m -> assertThat(m).contains("Subject: Undeliverable: waiting")
                    .contains("Status: 5.4.3").contains("delivery time expired"));
        }
    }

    @Test
    void aSmartHostWithAuthenticationTakesMailForEveryDomain() throws Exception {
        try (var peer = new ScriptedPeer(new ScriptedPeer.Script() {
            @Override
            public List<String> extensions(int session) {
                return List.of("PIPELINING", "8BITMIME", "AUTH PLAIN LOGIN");
            }
        }); var server = TestServer.start(List.of("relay_from = [\"127.0.0.0/8\"]"), List.of(
                "[[send_connector]]", "name = \"Smart host\"", "domains = [\"*\"]",
                "smart_host = \"127.0.0.1:" + peer.port() + "\"", "username = \"relay-user\"",
                "password = \"relay-pass\""), List.of("command_timeout = \"2s\""), List.of())) {
            send(server, "RCPT TO:<someone@anywhere.test>", "Subject: via the smart host\r\n\r\nbody");
            await(() -> peer.accepted().size() == 1, "delivered to the smart host, no DNS asked");
            assertThat(peer.logins()).containsExactly("relay-user:relay-pass");
            assertThat(peer.accepted().get(0).rcptTo().get(0)).startsWith("RCPT TO:<someone@anywhere.test>");
        }
    }

    @Test
    void aSendConnectorThatRequiresTlsWaitsWhenThereIsNone() throws Exception {
        try (var peer = new ScriptedPeer(new ScriptedPeer.Script() { });
             var server = TestServer.start(List.of("relay_from = [\"127.0.0.0/8\"]"), List.of(
                "[[send_connector]]", "name = \"Secure\"", "domains = [\".partner.test\"]",
                "smart_host = \"127.0.0.1:" + peer.port() + "\"", "require_tls = true"),
                List.of("command_timeout = \"2s\""), List.of("retry_intervals = [\"1h\"]"))) {
            String reply = send(server, "RCPT TO:<someone@mail.partner.test>", "Subject: secret\r\n\r\nbody");
            long id = Long.parseLong(reply.replaceAll(".*InternalId=(\\d+),.*", "$1"));
            await(() -> {
                try {
                    var m = server.runtime().store().load(id);
                    return m != null && m.state() == dev.mailflow.queue.QueueState.DEFERRED;
                } catch (java.io.IOException e) {
                    return false;
                }
            }, "deferred");
            var m = server.runtime().store().load(id);
            assertThat(m.status().lastError()).contains("requires TLS");
            assertThat(m.status().recipients().get(0).enhancedStatus()).hasToString("4.7.0");
            assertThat(peer.accepted()).isEmpty();
        }
    }

    @Test
    void severalMessagesShareOneConnection() throws Exception {
        try (var peer = new ScriptedPeer(new ScriptedPeer.Script() { }); var server = server(peer)) {
            try (var c = new SmtpTestClient(server.port())) {
                c.reply();
                c.send("EHLO contoso.com");
                for (int i = 0; i < 5; i++) {
                    c.send("MAIL FROM:<kate@fabrikam.com>");
                    c.send("RCPT TO:<user@[127.0.0.1]>");
                    c.send("DATA");
                    assertThat(c.send("Subject: batch " + i + "\r\n\r\nbody\r\n.").get(0)).startsWith("250 2.6.0");
                    int n = i + 1;
                    await(() -> peer.accepted().size() == n, "message " + n + " delivered");
                }
            }
            assertThat(peer.sessions()).as("connections for five messages one after another").isEqualTo(1);
            assertThat(peer.commands().stream().filter(l -> l.startsWith("EHLO")).count()).isEqualTo(1);
            // A session the peer closed meanwhile is noticed and replaced.
            Thread.sleep(2500);
            send(server, "RCPT TO:<user@[127.0.0.1]>", "Subject: after a pause\r\n\r\nbody");
            await(() -> peer.accepted().size() == 6, "delivered on a new connection");
        }
    }

    @Test
    void utf8AddressesToAPeerWithoutSmtputf8FailClearly() throws Exception {
        try (var peer = new ScriptedPeer(new ScriptedPeer.Script() { }); var server = server(peer)) {
            try (var c = new SmtpTestClient(server.port())) {
                c.reply();
                c.send("EHLO contoso.com");
                c.send("MAIL FROM:<kate@fabrikam.com> SMTPUTF8");
                assertThat(c.send("RCPT TO:<\u7528\u6237@[127.0.0.1]>")).containsExactly("250 2.1.5 Recipient OK");
                c.send("DATA");
                c.send("Subject: utf8\r\n\r\nbody\r\n.");
            }
            await(() -> hasMail(server), "failure DSN");
            assertThat(katesMail(server).get(0)).contains("Status: 5.6.7").contains("does not offer it");
            assertThat(peer.accepted()).isEmpty();
        }
    }

    private static dev.mailflow.queue.QueuedMessage awaitDeferred(TestServer server, String reply) throws Exception {
        long id = Long.parseLong(reply.replaceAll(".*InternalId=(\\d+),.*", "$1"));
        await(() -> {
            try {
                var m = server.runtime().store().load(id);
                return m != null && m.state() == dev.mailflow.queue.QueueState.DEFERRED;
            } catch (java.io.IOException e) {
                return false;
            }
        }, "deferred");
        return server.runtime().store().load(id);
    }

    @Test
    void aReplyThatDisagreesWithItselfIsDeferredByItsReplyCodeAndQuotedAsIs() throws Exception {
        try (var peer = new ScriptedPeer(new ScriptedPeer.Script() {
            @Override
            public String rcpt(int session, String line) {
                return "450 5.1.1 mailbox unavailable";
            }
        }); var server = TestServer.start(List.of("relay_from = [\"127.0.0.0/8\"]"), List.of(),
                List.of("remote_port = " + peer.port(), "command_timeout = \"2s\""), List.of("retry_intervals = [\"1h\"]"))) {
            var m = awaitDeferred(server, send(server, "RCPT TO:<user@[127.0.0.1]>", "Subject: odd\r\n\r\nbody"));
            var r = m.status().recipients().get(0);
            assertThat(r.enhancedStatus()).as("the reply code's class wins: 4.0.0").hasToString("4.0.0");
            assertThat(r.remoteReply().code()).isEqualTo(450);
            assertThat(r.remoteReply().text()).isEqualTo("450 5.1.1 mailbox unavailable");
            assertThat(r.remoteReply().host()).isEqualTo("127.0.0.1");
            assertThat(r.reason()).isEqualTo("127.0.0.1[127.0.0.1]:" + peer.port()
                    + " temporarily refused the recipient (RCPT TO)");
            assertThat(m.status().lastError()).endsWith("(RCPT TO): 450 5.1.1 mailbox unavailable");
        }
    }

    @Test
    void aRefusedConnectionBouncesWithOurDiagnosticAndNoRemoteMta() throws Exception {
        int closed = dev.mailflow.testing.Dnsmasq.freePort();
        try (var server = TestServer.start(List.of("relay_from = [\"127.0.0.0/8\"]"), List.of(),
                List.of("remote_port = " + closed, "connect_timeout = \"2s\""),
                List.of("retry_intervals = [\"300ms\"]", "lifetime = \"2s\""))) {
            send(server, "RCPT TO:<user@[127.0.0.1]> NOTIFY=FAILURE", "Subject: nobody home\r\n\r\nbody");
            await(() -> hasMail(server), "failure DSN at expiry");
            String dsn = katesMail(server).get(0);
            assertThat(dsn).contains("Subject: Undeliverable: nobody home").contains("Status: 5.4.1")
                    .contains("Diagnostic-Code: X-Mailflow; delivery time expired after 2 s; last error: connect to "
                            + "127.0.0.1[127.0.0.1]:" + closed + ": Connection refused")
                    .contains("The recipient's server couldn't be reached")
                    .doesNotContain("Remote-MTA").doesNotContain("smtp;").doesNotContain("Remote server returned");
        }
    }

    @Test
    void aSmartHostFailureNamesTheSendConnector() throws Exception {
        int closed = dev.mailflow.testing.Dnsmasq.freePort();
        try (var server = TestServer.start(List.of("relay_from = [\"127.0.0.0/8\"]"), List.of(
                "[[send_connector]]", "name = \"Smarthost\"", "domains = [\"*\"]",
                "smart_host = \"127.0.0.1:" + closed + "\""), List.of("connect_timeout = \"2s\""),
                List.of("retry_intervals = [\"1h\"]"))) {
            var m = awaitDeferred(server, send(server, "RCPT TO:<someone@anywhere.test>", "Subject: via\r\n\r\nb"));
            String expected = "send connector \"Smarthost\" (127.0.0.1:" + closed + "): connect to 127.0.0.1[127.0.0.1]:"
                    + closed + ": Connection refused";
            assertThat(m.status().lastError()).isEqualTo(expected);
            assertThat(m.status().recipients().get(0).enhancedStatus()).hasToString("4.4.1");
            var track = dev.mailflow.queue.TrackingLog.search(server.dataDir().resolve("logs"), null,
                    e -> e.event().equals("DEFER"));
            assertThat(track).extracting(dev.mailflow.queue.TrackingEvent::detail).contains(expected);
        }
    }

    @Test
    void aSmartHostNameTheDnsRefusesNamesTheConnectorAndTheServer() throws Exception {
        try (var dns = dev.mailflow.testing.FakeDnsServer.answering(org.xbill.DNS.Rcode.REFUSED);
             var server = TestServer.start(List.of("relay_from = [\"127.0.0.0/8\"]"), List.of(
                "[[send_connector]]", "name = \"Smarthost\"", "domains = [\"*\"]",
                "smart_host = \"smtp.example.net:587\""), List.of("dns_server = \"" + dns.address() + "\""),
                List.of("retry_intervals = [\"1h\"]"))) {
            var m = awaitDeferred(server, send(server, "RCPT TO:<someone@anywhere.test>", "Subject: via\r\n\r\nb"));
            assertThat(m.status().lastError()).isEqualTo("send connector \"Smarthost\" (smtp.example.net:587): "
                    + dns.address() + " refused the A query for smtp.example.net (REFUSED)");
            assertThat(m.status().recipients().get(0).enhancedStatus()).hasToString("4.4.3");
        }
    }
}
