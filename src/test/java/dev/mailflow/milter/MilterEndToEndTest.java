package dev.mailflow.milter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.queue.TrackingEvent;
import dev.mailflow.queue.TrackingLog;
import dev.mailflow.testing.SmtpTestClient;
import dev.mailflow.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The milter client in a real server, against a scripted milter: stages, macros, verdicts, edits, failures. */
class MilterEndToEndTest {

    @TempDir
    Path dir;

    private static final String MESSAGE = """
            Message-ID: <t1@contoso.com>\r
            From: Chris <chris@contoso.com>\r
            To: kate@fabrikam.com\r
            Subject: Test message\r
            X-Remove-Me: yes\r
            X-Long: first line\r
             folded line\r
            \r
            This is a test message.\r
            .""";

    /** Sends one message; the replies to MAIL, each RCPT, DATA and the end of data. */
    private static List<String> send(int port, String sender, List<String> recipients) throws Exception {
        try (var c = new SmtpTestClient(port)) {
            c.reply();
            c.send("EHLO client.example");
            var replies = new java.util.ArrayList<String>();
            replies.add(c.send("MAIL FROM:<" + sender + ">").get(0));
            for (String r : recipients) {
                replies.add(c.send("RCPT TO:<" + r + ">").get(0));
            }
            String data = c.send("DATA").get(0);
            replies.add(data);
            if (data.startsWith("354")) {
                replies.add(c.send(MESSAGE).get(0));
            }
            c.send("QUIT");
            return replies;
        }
    }

    private static List<String> milterLine(FakeMilter milter, String... more) {
        var lines = new java.util.ArrayList<String>();
        lines.add("milters = [\"" + milter.address() + "\"]");
        lines.addAll(List.of(more));
        return lines;
    }

    private static List<TrackingEvent> events(TestServer server, String event) throws Exception {
        return TrackingLog.search(server.dataDir().resolve("logs"), null, e -> e.event().equals(event));
    }

    @Test
    void theMilterSeesEveryStageWithPostfixsMacros() throws Exception {
        try (var milter = FakeMilter.tcp().asks(Protocol.HEADER_LEADING_SPACE);
             var server = TestServer.start(milterLine(milter), List.of())) {
            var replies = send(server.port(), "chris@contoso.com", List.of("kate@fabrikam.com"));
            assertThat(replies.get(3)).startsWith("250 2.6.0");
            assertThat(server.awaitDelivered("kate@fabrikam.com", 1, Duration.ofSeconds(10))).hasSize(1);
            dev.mailflow.testing.Await.until("the milter session to end (Q)", () -> milter.commandLetters(),
                    l -> l.contains("Q"));
            assertThat(milter.commandLetters()).containsExactly("O", "C", "H", "M", "R", "T", "L", "L", "L", "L",
                    "L", "L", "N", "B", "E", "Q");
            var connect = milter.macros.get('C');
            assertThat(connect).containsEntry("j", TestServer.HOSTNAME)
                    .containsEntry("{daemon_name}", TestServer.FRONTEND)
                    .containsEntry("{client_addr}", "127.0.0.1")
                    .containsKeys("{client_name}", "{client_port}", "{daemon_addr}", "v", "_");
            assertThat(milter.macros.get('M')).containsEntry("{mail_addr}", "chris@contoso.com")
                    .doesNotContainKey("{auth_authen}");
            assertThat(milter.macros.get('R')).containsEntry("{rcpt_addr}", "kate@fabrikam.com");
            String queueId = milter.macros.get('E').get("i");
            assertThat(milter.macros.get('N')).containsEntry("i", queueId);
            assertThat(replies.get(3)).contains(queueId);
            var mail = packet(milter, 'M');
            assertThat(mail.stringsFrom(0)).containsExactly("<chris@contoso.com>");
            var headers = milter.received.stream().filter(p -> p.code() == 'L').map(p -> p.stringsFrom(0)).toList();
            assertThat(headers.get(1)).containsExactly("From", " Chris <chris@contoso.com>");
            assertThat(headers.get(5)).as("folds as LF, the leading space kept (negotiated)")
                    .containsExactly("X-Long", " first line\n folded line");
            assertThat(new String(packet(milter, 'B').data(), java.nio.charset.StandardCharsets.US_ASCII))
                    .isEqualTo("This is a test message.\r\n");
            var connectPacket = packet(milter, 'C');
            assertThat(connectPacket.stringsFrom(0).get(0)).isEqualTo("[127.0.0.1]");
        }
    }

    @Test
    void afterAuthTheMilterGetsTheLoginAsOpenDkimReadsIt() throws Exception {
        try (var milter = FakeMilter.tcp();
             var server = TestServer.start(milterLine(milter, "allow_insecure_auth = true"), List.of())) {
            try (var c = new SmtpTestClient(server.address(TestServer.SUBMISSION).getPort())) {
                c.reply();
                c.send("EHLO client.example");
                String plain = java.util.Base64.getEncoder().encodeToString(
                        "\0kate@fabrikam.com\0secret".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                assertThat(c.send("AUTH PLAIN " + plain).get(0)).startsWith("235");
                assertThat(c.send("MAIL FROM:<kate@fabrikam.com>").get(0)).startsWith("250");
                c.send("QUIT");
            }
            Thread.sleep(100);
            assertThat(milter.macros.get('M')).containsEntry("{auth_type}", "PLAIN")
                    .containsEntry("{auth_authen}", "kate@fabrikam.com");
            assertThat(milter.macros.get('C')).containsEntry("{daemon_name}", TestServer.SUBMISSION);
        }
    }

    @Test
    void withoutLeadingSpaceAndWithStagesLeftOut() throws Exception {
        try (var milter = FakeMilter.tcp().asks(Protocol.NO_HELO | Protocol.NO_BODY | Protocol.NR_HEADER
                | Protocol.NO_DATA); var server = TestServer.start(milterLine(milter), List.of())) {
            var replies = send(server.port(), "chris@contoso.com", List.of("kate@fabrikam.com"));
            assertThat(replies.get(3)).startsWith("250 2.6.0");
            dev.mailflow.testing.Await.until("the milter session to end (Q)", () -> milter.commandLetters(),
                    l -> l.contains("Q"));
            assertThat(milter.commandLetters()).containsExactly("O", "C", "M", "R", "L", "L", "L", "L", "L", "L",
                    "N", "E", "Q");
            var headers = milter.received.stream().filter(p -> p.code() == 'L').map(p -> p.stringsFrom(0)).toList();
            assertThat(headers.get(1)).containsExactly("From", "Chris <chris@contoso.com>");
        }
    }

    @Test
    void aRecipientRejectedWithTheMiltersOwnReplyIsTrackedWithTheMilter() throws Exception {
        try (var milter = FakeMilter.tcp().script(p -> p.code() == 'R' && p.stringsFrom(0).get(0).contains("team")
                ? List.of(FakeMilter.reply('y', "550 5.7.1 Lists take no mail from strangers")) : null);
             var server = TestServer.start(milterLine(milter), List.of())) {
            var replies = send(server.port(), "chris@contoso.com", List.of("team@fabrikam.com", "kate@fabrikam.com"));
            assertThat(replies.get(1)).isEqualTo("550 5.7.1 Lists take no mail from strangers");
            assertThat(replies.get(2)).startsWith("250");
            assertThat(replies.get(4)).startsWith("250 2.6.0");
            assertThat(events(server, "REJECT")).extracting(TrackingEvent::check).containsExactly(
                    "milter " + milter.address() + " 550 5.7.1 Lists take no mail from strangers");
        }
    }

    @Test
    void rejectAndTempfailAtTheEndOfData() throws Exception {
        try (var milter = FakeMilter.tcp().script(p -> p.code() == 'E'
                ? List.of(FakeMilter.reply('y', "554 5.7.1 Gtube pattern")) : null);
             var server = TestServer.start(milterLine(milter), List.of())) {
            var replies = send(server.port(), "chris@contoso.com", List.of("kate@fabrikam.com"));
            assertThat(replies.get(3)).isEqualTo("554 5.7.1 Gtube pattern");
            assertThat(server.queuedMessages()).isEmpty();
            milter.script(p -> p.code() == 'E' ? List.of(Packet.of('t')) : null);
            replies = send(server.port(), "chris@contoso.com", List.of("kate@fabrikam.com"));
            assertThat(replies.get(3)).isEqualTo("451 4.7.1 Service unavailable - try again later");
            milter.script(p -> p.code() == 'M' ? List.of(Packet.of('r')) : null);
            replies = send(server.port(), "chris@contoso.com", List.of("kate@fabrikam.com"));
            assertThat(replies.get(0)).isEqualTo("550 5.7.1 Command rejected");
            assertThat(events(server, "REJECT")).hasSize(3).allSatisfy(e -> assertThat(e.check()).startsWith("milter "));
            assertThat(server.delivered("kate@fabrikam.com")).isEmpty();
        }
    }

    @Test
    void headerAndBodyEditsReachTheMailbox() throws Exception {
        try (var milter = FakeMilter.tcp().script(p -> p.code() == 'E' ? List.of(
                FakeMilter.reply('h', "X-Spam-Status", "No, score=0.1\n\ttests=NONE"),
                FakeMilter.withIndex('i', 0, "X-Scanned", "by the fake milter"),
                FakeMilter.withIndex('m', 1, "Subject", "[scanned] Test message"),
                FakeMilter.withIndex('m', 1, "X-Remove-Me", ""),
                new Packet('b', "A new body.\nSecond line.\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
                Packet.of('c')) : null);
             var server = TestServer.start(milterLine(milter), List.of())) {
            var replies = send(server.port(), "chris@contoso.com", List.of("kate@fabrikam.com"));
            assertThat(replies.get(3)).startsWith("250 2.6.0");
            var delivered = server.awaitDelivered("kate@fabrikam.com", 1, Duration.ofSeconds(10));
            assertThat(delivered).hasSize(1);
            assertThat(events(server, "RECEIVE")).extracting(TrackingEvent::detail)
                    .containsExactly("queued; milter " + milter.address() + ": continue, 5 edits");
            String content = TestServer.withoutTraceHeaders(Files.readString(delivered.get(0)));
            assertThat(content).isEqualTo("""
                    X-Scanned: by the fake milter\r
                    Message-ID: <t1@contoso.com>\r
                    From: Chris <chris@contoso.com>\r
                    To: kate@fabrikam.com\r
                    Subject: [scanned] Test message\r
                    X-Long: first line\r
                     folded line\r
                    X-Spam-Status: No, score=0.1\r
                    \ttests=NONE\r
                    \r
                    A new body.\r
                    Second line.\r
                    """);
        }
    }

    @Test
    void aMilterCannotInjectFieldsOrBreakTheHeader() throws Exception {
        try (var milter = FakeMilter.tcp().script(p -> p.code() == 'E' ? List.of(
                FakeMilter.reply('h', "X-Spam", "no\nX-Injected: yes\r\n\r\nbody?"),
                FakeMilter.reply('h', "Bad Name", "x"),
                FakeMilter.reply('h', "X-Colon:", "x"),
                FakeMilter.withIndex('i', -1, "X-Last", "huge index is the end"),
                Packet.of('c')) : null);
             var server = TestServer.start(milterLine(milter), List.of())) {
            assertThat(send(server.port(), "chris@contoso.com", List.of("kate@fabrikam.com")).get(3))
                    .startsWith("250 2.6.0");
            var delivered = server.awaitDelivered("kate@fabrikam.com", 1, Duration.ofSeconds(10));
            String content = TestServer.withoutTraceHeaders(Files.readString(delivered.get(0)));
            assertThat(content).doesNotContainPattern("(?m)^X-Injected").doesNotContain("Bad Name")
                    .doesNotContain("X-Colon:")
                    .contains(" folded line\r\nX-Spam: no\r\n\tX-Injected: yes\r\n\tbody?\r\n"
                            + "X-Last: huge index is the end\r\n\r\nThis is a test message.");
        }
    }

    @Test
    void aBrokenVerdictAfterEditsAppliesNoneOfThem() throws Exception {
        try (var milter = FakeMilter.tcp().script(p -> p.code() == 'E' ? List.of(
                FakeMilter.reply('h', "X-Half-Done", "yes"), Packet.of('Z')) : null);
             var server = TestServer.start(milterLine(milter, "milter_default_action = \"accept\""), List.of())) {
            assertThat(send(server.port(), "chris@contoso.com", List.of("kate@fabrikam.com")).get(3))
                    .startsWith("250 2.6.0");
            var delivered = server.awaitDelivered("kate@fabrikam.com", 1, Duration.ofSeconds(10));
            assertThat(Files.readString(delivered.get(0))).doesNotContain("X-Half-Done");
        }
    }

    @Test
    void editsForeverEndWithinTheEndOfDataLimit() throws Exception {
        var forever = new java.util.ArrayList<Packet>();
        for (int i = 0; i < 400; i++) {
            forever.add(FakeMilter.reply('h', "X-Again", "and again"));
            forever.add(FakeMilter.PAUSE);
        }
        try (var milter = FakeMilter.tcp().script(p -> p.code() == 'E' ? forever : null);
             var server = TestServer.start(milterLine(milter, "milter_content_timeout = \"100ms\""), List.of())) {
            long t0 = System.nanoTime();
            assertThat(send(server.port(), "chris@contoso.com", List.of("kate@fabrikam.com")).get(3))
                    .isEqualTo("451 4.7.1 Service unavailable - try again later");
            assertThat(System.nanoTime() - t0).as("the whole end of data: ten times the content timeout")
                    .isLessThan(5_000_000_000L);
            assertThat(events(server, "REJECT")).singleElement().satisfies(e -> assertThat(e.check())
                    .contains("the end of data took over 1 s"));
        }
    }

    @Test
    void progressReportsForeverStillEnd() throws Exception {
        var forever = new java.util.ArrayList<Packet>();
        for (int i = 0; i < 200; i++) {
            forever.add(Packet.of('p'));
            forever.add(FakeMilter.PAUSE);
        }
        try (var milter = FakeMilter.tcp().script(p -> p.code() == 'E' ? forever : null);
             var server = TestServer.start(milterLine(milter, "milter_content_timeout = \"100ms\""), List.of())) {
            long t0 = System.nanoTime();
            assertThat(send(server.port(), "chris@contoso.com", List.of("kate@fabrikam.com")).get(3))
                    .isEqualTo("451 4.7.1 Service unavailable - try again later");
            assertThat(System.nanoTime() - t0).as("ten times the content timeout at most, and a little")
                    .isLessThan(5_000_000_000L);
            assertThat(events(server, "REJECT")).singleElement().satisfies(e -> assertThat(e.check())
                    .containsAnyOf("after 1 s of progress reports", "the end of data took over 1 s"));
        }
    }

    @Test
    void envelopeEditsChangeWhoGetsTheMessage() throws Exception {
        try (var milter = FakeMilter.tcp().script(p -> p.code() == 'E' ? List.of(
                FakeMilter.reply('e', "<bounces@contoso.com>", "SIZE=100"),
                FakeMilter.reply('+', "<postmaster@example.test>"),
                FakeMilter.reply('-', "<kate@fabrikam.com>"),
                Packet.of('c')) : null);
             var server = TestServer.start(milterLine(milter), List.of())) {
            var replies = send(server.port(), "chris@contoso.com", List.of("kate@fabrikam.com"));
            assertThat(replies.get(3)).startsWith("250 2.6.0");
            var delivered = server.awaitDelivered("postmaster@example.test", 1, Duration.ofSeconds(10));
            assertThat(delivered).hasSize(1);
            assertThat(Files.readString(delivered.get(0))).startsWith("Return-Path: <bounces@contoso.com>");
            assertThat(server.delivered("kate@fabrikam.com")).isEmpty();
        }
    }

    @Test
    void removingEveryRecipientDiscards() throws Exception {
        try (var milter = FakeMilter.tcp().script(p -> p.code() == 'E' ? List.of(
                FakeMilter.reply('-', "<kate@fabrikam.com>"), Packet.of('c')) : null);
             var server = TestServer.start(milterLine(milter), List.of())) {
            assertThat(send(server.port(), "chris@contoso.com", List.of("kate@fabrikam.com")).get(3))
                    .startsWith("250 2.6.0");

            assertThat(events(server, "DISCARD")).extracting(TrackingEvent::check)
                    .containsExactly("every recipient removed by a filter");
            assertThat(server.queuedMessages()).isEmpty();
        }
    }

    @Test
    void discardAndQuarantine() throws Exception {
        try (var milter = FakeMilter.tcp().script(p -> p.code() == 'E' ? List.of(Packet.of('d')) : null);
             var server = TestServer.start(milterLine(milter), List.of())) {
            assertThat(send(server.port(), "chris@contoso.com", List.of("kate@fabrikam.com")).get(3))
                    .startsWith("250 2.6.0");
            assertThat(events(server, "DISCARD")).extracting(TrackingEvent::check)
                    .containsExactly("milter " + milter.address());
            milter.script(p -> p.code() == 'E' ? List.of(FakeMilter.reply('q', "Eicar-Test-Signature FOUND"),
                    Packet.of('a')) : null);
            assertThat(send(server.port(), "chris@contoso.com", List.of("kate@fabrikam.com")).get(3))
                    .startsWith("250 2.6.0");
            var held = events(server, "HOLD");
            assertThat(held).extracting(TrackingEvent::detail).containsExactly(
                    "quarantined by milter " + milter.address() + ": Eicar-Test-Signature FOUND");
            try (var files = Files.list(server.dataDir().resolve("queue").resolve(
                    dev.mailflow.queue.QueueState.HOLD.directory()))) {
                assertThat(files.count()).isEqualTo(1);
            }
            assertThat(server.delivered("kate@fabrikam.com")).isEmpty();
        }
    }

    @Test
    void aMilterThatIsDownTempfailsOrIsSkippedAsConfigured() throws Exception {
        int closed;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        var down = List.of("milters = [\"inet:127.0.0.1:" + closed + "\"]");
        try (var server = TestServer.start(down, List.of())) {
            var replies = send(server.port(), "chris@contoso.com", List.of("kate@fabrikam.com"));
            assertThat(replies.get(0)).isEqualTo("451 4.7.1 Service unavailable - try again later");
            assertThat(events(server, "REJECT")).singleElement().satisfies(e -> assertThat(e.check())
                    .startsWith("milter inet:127.0.0.1:" + closed + " unavailable (connecting: "));
        }
        var accept = List.of("milters = [\"{ inet:127.0.0.1:" + closed + ", default_action = accept }\"]");
        try (var server = TestServer.start(accept, List.of())) {
            assertThat(send(server.port(), "chris@contoso.com", List.of("kate@fabrikam.com")).get(3))
                    .startsWith("250 2.6.0");
            assertThat(server.awaitDelivered("kate@fabrikam.com", 1, Duration.ofSeconds(10))).hasSize(1);
        }
    }

    @Test
    void aMilterThatHangsOrDiesMidMessageGetsTheDefaultAction() throws Exception {
        try (var milter = FakeMilter.tcp().script(p -> p.code() == 'E' ? List.of(FakeMilter.SILENCE) : null);
             var server = TestServer.start(milterLine(milter, "milter_content_timeout = \"1s\""), List.of())) {
            long t0 = System.nanoTime();
            var replies = send(server.port(), "chris@contoso.com", List.of("kate@fabrikam.com"));
            long took = System.nanoTime() - t0;
            assertThat(replies.get(3)).isEqualTo("451 4.7.1 Service unavailable - try again later");
            assertThat(took).as("the content timeout, not more").isBetween(900_000_000L, 5_000_000_000L);
            assertThat(events(server, "REJECT")).singleElement().satisfies(e -> assertThat(e.check())
                    .contains("unavailable (no answer within 1 s"));
            assertThat(server.queuedMessages()).isEmpty();
        }
        try (var milter = FakeMilter.tcp().script(p -> p.code() == 'B' ? List.of(FakeMilter.HANG_UP) : null);
             var server = TestServer.start(milterLine(milter, "milter_default_action = \"accept\""), List.of())) {
            assertThat(send(server.port(), "chris@contoso.com", List.of("kate@fabrikam.com")).get(3))
                    .startsWith("250 2.6.0");
            assertThat(server.awaitDelivered("kate@fabrikam.com", 1, Duration.ofSeconds(10))).hasSize(1);
        }
    }

    @Test
    void aUnixSocketMilterAndMacrosItAskedFor() throws Exception {
        try (var milter = FakeMilter.unix(dir.resolve("milter.sock")).symbols(Protocol.STAGE_CONNECT, "{client_addr} j")
                .script(p -> p.code() == 'C' ? List.of(Packet.of('a')) : null);
             var server = TestServer.start(milterLine(milter), List.of())) {
            assertThat(send(server.port(), "chris@contoso.com", List.of("kate@fabrikam.com")).get(3))
                    .startsWith("250 2.6.0");
            dev.mailflow.testing.Await.until("the milter session to end (Q)", () -> milter.commandLetters(),
                    l -> l.contains("Q"));
            assertThat(milter.macros.get('C')).containsOnlyKeys("{client_addr}", "j");
            assertThat(milter.commandLetters()).as("accepted at connect: nothing more but the quit")
                    .containsExactly("O", "C", "Q");
        }
    }

    @Test
    void chunkingReachesTheMilterAsDataDoes() throws Exception {
        try (var milter = FakeMilter.tcp().script(p -> p.code() == 'E' ? List.of(
                FakeMilter.reply('h', "X-Scanned", "yes"), Packet.of('c')) : null);
             var server = TestServer.start(milterLine(milter), List.of())) {
            try (var c = new SmtpTestClient(server.port())) {
                c.reply();
                c.send("EHLO client.example");
                c.send("MAIL FROM:<chris@contoso.com>");
                c.send("RCPT TO:<kate@fabrikam.com>");
                String first = "Subject: chunked\r\n\r\nfirst ";
                c.out.write(("BDAT " + first.length() + "\r\n" + first).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                c.out.flush();
                assertThat(c.reply().get(0)).startsWith("250");
                String last = "and last\r\n";
                c.out.write(("BDAT " + last.length() + " LAST\r\n" + last).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                c.out.flush();
                assertThat(c.reply().get(0)).startsWith("250 2.6.0");
            }
            var delivered = server.awaitDelivered("kate@fabrikam.com", 1, Duration.ofSeconds(10));
            assertThat(TestServer.withoutTraceHeaders(Files.readString(delivered.get(0))))
                    .contains("Subject: chunked\r\nX-Scanned: yes\r\n\r\nfirst and last\r\n");
            assertThat(milter.commandLetters()).containsSubsequence("M", "R", "T", "L", "N", "B", "E");
        }
    }

    @Test
    void twoTransactionsOnOneConnectionAbortTheFirst() throws Exception {
        try (var milter = FakeMilter.tcp(); var server = TestServer.start(milterLine(milter), List.of())) {
            try (var c = new SmtpTestClient(server.port())) {
                c.reply();
                c.send("EHLO client.example");
                c.send("MAIL FROM:<chris@contoso.com>");
                c.send("RCPT TO:<kate@fabrikam.com>");
                c.send("RSET");
                c.send("MAIL FROM:<chris@contoso.com>");
                c.send("RCPT TO:<nobody@fabrikam.com>");
                c.send("QUIT");
            }
            dev.mailflow.testing.Await.until("the milter session to end (Q)", () -> milter.commandLetters(),
                    l -> l.contains("Q"));
            assertThat(milter.commandLetters()).as("the unknown user never reaches the milter")
                    .containsExactly("O", "C", "H", "M", "R", "A", "M", "A", "Q");
        }
    }

    private static Packet packet(FakeMilter milter, char code) {
        synchronized (milter.received) {
            return milter.received.stream().filter(p -> p.code() == code).findFirst().orElseThrow();
        }
    }
}
