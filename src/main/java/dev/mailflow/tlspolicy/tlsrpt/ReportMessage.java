package dev.mailflow.tlspolicy.tlsrpt;

import dev.mailflow.smtp.Reply;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Base64;
import java.util.HexFormat;

/**
 * An aggregate report as an email, RFC 8460 5.3 (and 3 for the headers): a
 * {@code multipart/report; report-type="tlsrpt"} message with a short text part and the gzipped
 * JSON as an {@code application/tlsrpt+gzip} attachment in base64, named as 5.3 says
 * ({@link AggregateReport#fileName()}).
 *
 * <p>Headers: From, To, Date, Message-ID, the Subject of 5.3.1 ({@code Report Domain: <domain>
 * Submitter: <submitter> Report-ID: <<id>>}), {@code TLS-Report-Domain} and
 * {@code TLS-Report-Submitter} (6.1), MIME-Version, and {@code Auto-Submitted:
 * auto-generated} (RFC 3834) so that no vacation responder answers a report. Long header
 * fields are folded at spaces (RFC 5322 2.2.3); every line ends in CRLF and stays within 78
 * characters where the content allows it.
 */
public final class ReportMessage {

    private static final SecureRandom RANDOM = new SecureRandom();

    private ReportMessage() {
    }

    /** The message for one recipient, with a fresh Message-ID and boundary. */
    public static byte[] build(AggregateReport report, String to, Instant now) {
        byte[] nonce = new byte[8];
        RANDOM.nextBytes(nonce);
        return build(report, to, now, HexFormat.of().formatHex(nonce));
    }

    /**
     * The message, with {@code unique} in its Message-ID and MIME boundary (tests give a fixed
     * one; {@link #build(AggregateReport, String, Instant)} a random one).
     */
    static byte[] build(AggregateReport report, String to, Instant now, String unique) {
        var who = report.reporter();
        String boundary = "=_mailflow-tlsrpt-" + unique;
        var sb = new StringBuilder(4096);
        header(sb, "From", who.from());
        header(sb, "To", to);
        header(sb, "Date", Reply.RFC_5322_DATE.format(ZonedDateTime.ofInstant(now, ZoneOffset.UTC)));
        header(sb, "Message-ID", "<tlsrpt." + report.day().toString().replace("-", "") + "." + unique + "@"
                + who.submitter() + ">");
        header(sb, "Subject", "Report Domain: " + report.policyDomain() + " Submitter: " + who.submitter()
                + " Report-ID: <" + report.reportId() + ">");
        header(sb, "TLS-Report-Domain", report.policyDomain());
        header(sb, "TLS-Report-Submitter", who.submitter());
        header(sb, "Auto-Submitted", "auto-generated");
        header(sb, "MIME-Version", "1.0");
        sb.append("Content-Type: multipart/report; report-type=\"tlsrpt\";\r\n\tboundary=\"").append(boundary)
                .append("\"\r\n");
        sb.append("\r\n");
        sb.append("This is a multipart message in MIME format.\r\n\r\n");
        sb.append("--").append(boundary).append("\r\n");
        sb.append("Content-Type: text/plain; charset=\"us-ascii\"\r\n");
        sb.append("Content-Transfer-Encoding: 7bit\r\n\r\n");
        wrap(sb, "This is an aggregate TLS report (RFC 8460) from " + who.submitter() + " for "
                + report.policyDomain() + ", covering " + report.day() + " 00:00:00 to 23:59:59 UTC: "
                + report.successes() + " successful and " + report.failures() + " failed TLS sessions. The report is "
                + "attached as " + report.fileName() + ".");
        sb.append("\r\n");
        sb.append("--").append(boundary).append("\r\n");
        sb.append("Content-Type: application/tlsrpt+gzip\r\n");
        sb.append("Content-Transfer-Encoding: base64\r\n");
        sb.append("Content-Disposition: attachment;\r\n\tfilename=\"").append(report.fileName()).append("\"\r\n");
        sb.append("\r\n");
        String base64 = Base64.getMimeEncoder(76, new byte[] {'\r', '\n'}).encodeToString(report.gzip());
        sb.append(base64).append("\r\n");
        sb.append("--").append(boundary).append("--\r\n");
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** One header field, folded at spaces before 78 characters where there are spaces. */
    private static void header(StringBuilder sb, String name, String value) {
        String clean = value.replace('\r', ' ').replace('\n', ' ');
        var line = new StringBuilder(name).append(": ");
        int lineStart = 0;
        for (String word : clean.split(" ")) {
            boolean first = line.length() == name.length() + 2;
            if (!first && line.length() - lineStart + 1 + word.length() > 78) {
                line.append("\r\n");
                lineStart = line.length();
                line.append(' ').append(word);
            } else {
                line.append(first ? "" : " ").append(word);
            }
        }
        sb.append(line).append("\r\n");
    }

    /** Plain text in lines of at most 76 characters. */
    private static void wrap(StringBuilder sb, String text) {
        int length = 0;
        for (String word : text.split(" ")) {
            if (length > 0 && length + 1 + word.length() > 76) {
                sb.append("\r\n");
                length = 0;
            } else if (length > 0) {
                sb.append(' ');
                length++;
            }
            sb.append(word);
            length += word.length();
        }
        sb.append("\r\n");
    }
}
