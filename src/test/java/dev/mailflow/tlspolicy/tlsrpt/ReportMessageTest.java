package dev.mailflow.tlspolicy.tlsrpt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.testing.ExternalTool;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report mail of RFC 8460 5.3, read back by Angus Mail and by Python's email package. */
class ReportMessageTest {

    private static final Instant NOW = Instant.parse("2026-07-11T02:17:00Z");

    @TempDir
    Path dir;

    private static AggregateReport report() {
        return AggregateReport.of(AggregateReportTest.REPORTER, AggregateReportTest.DAY,
                AggregateReportTest.tally().get("example.com"));
    }

    @Test
    void linesEndInCrlfAndStayShort() {
        String text = new String(ReportMessage.build(report(), "tls-reports@example.com", NOW, "0011223344556677"),
                StandardCharsets.US_ASCII);
        assertThat(text).doesNotContainPattern("[^\r]\n").endsWith("--\r\n");
        for (String line : text.split("\r\n")) {
            if (!line.startsWith("\tfilename=")) {
                assertThat(line.length()).as(line).isLessThanOrEqualTo(78);
            }
        }
        assertThat(text).startsWith("From: noreply-tlsrpt@mail.example.org\r\nTo: tls-reports@example.com\r\n"
                + "Date: Sat, 11 Jul 2026 02:17:00 +0000\r\n"
                + "Message-ID: <tlsrpt.20260710.0011223344556677@mail.example.org>\r\n"
                + "Subject: Report Domain: example.com Submitter: mail.example.org Report-ID:\r\n"
                + " <20260710.example.com@mail.example.org>\r\n"
                + "TLS-Report-Domain: example.com\r\nTLS-Report-Submitter: mail.example.org\r\n");
    }

    @Test
    void angusMailReadsTheStructureTheRfcAsksFor() throws Exception {
        var report = report();
        byte[] bytes = ReportMessage.build(report, "tls-reports@example.com", NOW);
        var message = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(bytes));
        var type = new ContentType(message.getContentType());
        assertThat(type.getBaseType()).isEqualTo("multipart/report");
        assertThat(type.getParameter("report-type")).isEqualTo("tlsrpt");
        assertThat(message.getSubject()).isEqualTo("Report Domain: example.com Submitter: mail.example.org "
                + "Report-ID: <20260710.example.com@mail.example.org>");
        assertThat(message.getHeader("TLS-Report-Domain")).containsExactly("example.com");
        assertThat(message.getHeader("TLS-Report-Submitter")).containsExactly("mail.example.org");
        assertThat(message.getFrom()[0]).hasToString("noreply-tlsrpt@mail.example.org");
        assertThat(message.getSentDate()).isEqualTo(java.util.Date.from(NOW));
        assertThat(message.getMessageID()).matches("<tlsrpt\\.20260710\\.[0-9a-f]{16}@mail\\.example\\.org>");

        var parts = (Multipart) message.getContent();
        assertThat(parts.getCount()).isEqualTo(2);
        var text = parts.getBodyPart(0);
        assertThat(text.isMimeType("text/plain")).isTrue();
        assertThat(((String) text.getContent()).replaceAll("\\s+", " "))
                .contains("aggregate TLS report (RFC 8460) from mail.example.org for example.com")
                .contains("5 successful and 4 failed TLS sessions");
        var attachment = parts.getBodyPart(1);
        assertThat(attachment.isMimeType("application/tlsrpt+gzip")).isTrue();
        assertThat(attachment.getDisposition()).isEqualTo(Part.ATTACHMENT);
        assertThat(attachment.getFileName()).isEqualTo(report.fileName())
                .matches("mail\\.example\\.org!example\\.com!\\d+!\\d+\\.json\\.gz");
        assertThat(attachment.getHeader("Content-Transfer-Encoding")).containsExactly("base64");
        try (InputStream in = new GZIPInputStream(attachment.getInputStream())) {
            assertThat(in.readAllBytes()).isEqualTo(report.json());
        }
    }

    @Test
    void eachMessageHasItsOwnIdAndBoundary() {
        String a = new String(ReportMessage.build(report(), "a@example.com", NOW), StandardCharsets.US_ASCII);
        String b = new String(ReportMessage.build(report(), "a@example.com", NOW), StandardCharsets.US_ASCII);
        assertThat(a.lines().filter(l -> l.startsWith("Message-ID:")).findFirst())
                .isNotEqualTo(b.lines().filter(l -> l.startsWith("Message-ID:")).findFirst());
    }

    @Test
    void pythonsEmailPackageReadsItTheSameWay() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        if (!Files.isExecutable(python)) {
            python = ExternalTool.require("python3");
        }
        var report = report();
        Path eml = dir.resolve("report.eml");
        Files.write(eml, ReportMessage.build(report, "tls-reports@example.com", NOW));
        Path script = dir.resolve("tlsrpt-message.py");
        try (InputStream in = ReportMessageTest.class.getResourceAsStream("tlsrpt-message.py")) {
            Files.write(script, in.readAllBytes());
        }
        Path out = dir.resolve("python.out");
        Process p = new ProcessBuilder(python.toString(), script.toString(), eml.toString()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String text = Files.readString(out);
        assertThat(p.exitValue()).as(text).isZero();
        assertThat(text.lines()).contains(
                "defects: 0",
                "content-type: multipart/report",
                "report-type: tlsrpt",
                "from: noreply-tlsrpt@mail.example.org",
                "to: tls-reports@example.com",
                "subject: Report Domain: example.com Submitter: mail.example.org Report-ID: "
                        + "<20260710.example.com@mail.example.org>",
                "tls-report-domain: example.com",
                "tls-report-submitter: mail.example.org",
                "auto-submitted: auto-generated",
                "date-parsed: 2026-07-11T02:17:00+00:00",
                "part0: text/plain 7bit None None 0",
                "part1: application/tlsrpt+gzip base64 attachment " + report.fileName() + " 0",
                "report-id: 20260710.example.com@mail.example.org",
                "policies: 2");
    }
}
