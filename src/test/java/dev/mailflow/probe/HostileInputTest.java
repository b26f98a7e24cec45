package dev.mailflow.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailflow.testing.MainRunner;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What a hostile server sends the tester: bounded, escaped, never a hang (from the hostile review). */
class HostileInputTest {

    @TempDir
    Path tmp;

    /** An endless stream of one pattern. */
    private static InputStream endless(byte[] pattern) {
        return new InputStream() {
            long n;

            @Override
            public int read() {
                return pattern[(int) (n++ % pattern.length)] & 0xff;
            }
        };
    }

    @Test
    @Timeout(10)
    void endlessEmptyTlsRecordsEndTheScan() throws IOException {
        var hello = TlsScanner.serverHello(endless(new byte[] {0x16, 0x03, 0x03, 0x00, 0x00}));
        assertThat(hello.accepted()).isFalse();
        assertThat(hello.detail()).isEqualTo("no ServerHello in the first 64 records");
    }

    @Test
    @Timeout(10)
    void anEndlessLineOrReplyIsAnErrorNotAReply() {
        assertThatThrownBy(() -> RawSmtp.reply(endless("AAAA".getBytes(StandardCharsets.US_ASCII))))
                .isInstanceOf(IOException.class).hasMessage("a reply line longer than 2000 octets");
        assertThatThrownBy(() -> RawSmtp.reply(endless("250-x\r\n".getBytes(StandardCharsets.US_ASCII))))
                .isInstanceOf(IOException.class).hasMessage("a reply longer than 64 KiB");
    }

    @Test
    @Timeout(10)
    void aReportFoldedAMillionTimesIsReadInBoundedTime() {
        var sb = new StringBuilder("Reporting-MTA: dns; x.test\r\n\r\nFinal-Recipient: rfc822; a@b.test\r\n"
                + "Action: failed\r\nDiagnostic-Code: smtp; 550 no\r\n");
        sb.append(" x\r\n".repeat(1_000_000));
        var blocks = DeliveryReport.blocks(sb.toString());
        assertThat(blocks).hasSize(2);
        assertThat(blocks.get(1).get("diagnostic-code")).hasSizeLessThan(1_000).startsWith("smtp; 550 no x x");
    }

    @Test
    void serverTextCannotDriveTheTerminal() {
        assertThat(TextReport.safe("220 \u001b[2J\u001b]0;t\u0007\u0000\b\r\u202eok 中文\tend"))
                .isEqualTo("220 ?[2J?]0;t?????ok 中文\tend");
        assertThat(HtmlReport.esc("\u202e<b>")).isEqualTo("\ufffd&lt;b&gt;");
    }

    @Test
    void controlCharactersInTheOptionsAreAUsageError() {
        var r = MainRunner.run("probe", "127.0.0.1:9", "--helo", "a\r\nRSET");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("mailflow: --helo holds a control character (CR, LF...): it would end the "
                + "command line early\nUsage: mailflow probe ").endsWith("'mailflow probe --help' says more.\n");
        assertThat(MainRunner.run("probe", "127.0.0.1:9", "--to", "a@b.test\nRSET").code()).isEqualTo(2);
    }

    @Test
    @Timeout(30)
    void theRoundTripWaitsForEveryRecipientsReport() throws Exception {
        Path maildir = tmp.resolve("box");
        Files.createDirectories(maildir.resolve("new"));
        String envid = "mailflow-test-1";
        Files.writeString(maildir.resolve("new/1.dsn"), """
                From: MAILER-DAEMON@far.test\r
                To: probe@near.test\r
                Subject: Delivered\r
                MIME-Version: 1.0\r
                Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r
                \r
                --b\r
                Content-Type: text/plain\r
                \r
                delivered\r
                --b\r
                Content-Type: message/delivery-status\r
                \r
                Reporting-MTA: dns; far.test\r
                Original-Envelope-Id: %s\r
                \r
                Final-Recipient: rfc822; user@far.test\r
                Action: delivered\r
                Status: 2.0.0\r
                \r
                --b--\r
                """.formatted(envid));
        var options = new RoundTrip.Options(maildir, Duration.ofSeconds(2), "test");
        long t = System.nanoTime();
        var one = RoundTrip.await(options, envid, "<m@near.test>", Instant.now(), List.of("user@far.test"),
                w -> { });
        assertThat(one).hasSize(1);
        assertThat(Duration.ofNanos(System.nanoTime() - t)).as("all reported: no wait").isLessThan(Duration.ofSeconds(2));
        t = System.nanoTime();
        var partial = RoundTrip.await(options, envid, "<m@near.test>", Instant.now(),
                List.of("user@far.test", "bad@far.test"), w -> { });
        assertThat(partial).hasSize(1);
        assertThat(Duration.ofNanos(System.nanoTime() - t)).as("bad@ not reported: waits the limit")
                .isGreaterThanOrEqualTo(Duration.ofMillis(1_900));
    }
}
