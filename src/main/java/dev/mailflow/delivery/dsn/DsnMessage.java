package dev.mailflow.delivery.dsn;

import dev.mailflow.queue.Envelope;
import dev.mailflow.queue.RecipientState;
import dev.mailflow.smtp.DsnReturn;
import dev.mailflow.smtp.EnhancedStatus;
import dev.mailflow.smtp.Reply;
import dev.mailflow.smtp.StatusCatalogue;
import dev.mailflow.smtp.Xtext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Locale;

/**
 * Builds one DSN message (RFC 3464) for some recipients of one original message. Pure: the
 * same inputs give the same octets, so tests compare against .eml fixtures.
 *
 * <p>Per recipient, from its typed outcome: {@code Status} is its enhanced status;
 * {@code Remote-MTA} (2.3.5) and {@code Diagnostic-Code: smtp;} (2.3.6) only when a remote
 * MTA answered, quoting its reply as it was said; any other failure (DNS, a connection
 * refused or timed out, TLS, a local reason) is {@code Diagnostic-Code: X-Mailflow;} with our
 * reason, as Postfix writes {@code X-Postfix;}. The sentence for people comes from
 * {@link StatusCatalogue}. SECURITY: a remote reply is the peer's text: control characters
 * become '?' and long lines are folded, so it cannot add or break header lines.
 */
public final class DsnMessage {

    private DsnMessage() {
    }

    /** RFC 3464 2.3.6: the diagnostic type for what is not an SMTP reply (Postfix: X-Postfix). */
    static final String LOCAL_DIAGNOSTIC_TYPE = "X-Mailflow";

    /** One recipient line of the report: what happened and what to say about it. */
    public record Entry(RecipientState recipient, String action, Instant lastAttempt) {
    }

    /**
     * @param original the original message's content (the report quotes its headers or all of it)
     * @param dsnId    makes the Message-ID and MIME boundary of the report
     */
    public static byte[] build(DsnKind kind, Envelope envelope, List<Entry> entries, InputStream original,
                               String hostname, String dsnId, Instant now, ZoneId zone, Instant retryUntil)
            throws IOException {
        byte[] content = original.readAllBytes();
        String headers = headerSection(content);
        String subject = originalSubject(headers);
        String boundary = "=_mailflow-dsn-" + dsnId;
        var sb = new StringBuilder();
        sb.append("From: Mail Delivery System <MAILER-DAEMON@").append(hostname).append(">\r\n");
        sb.append("To: <").append(envelope.sender()).append(">\r\n");
        sb.append("Subject: ").append(kind.subjectPrefix()).append(subject == null ? "" : ": " + subject)
                .append("\r\n");
        sb.append("Date: ").append(Reply.RFC_5322_DATE.format(ZonedDateTime.ofInstant(now, zone))).append("\r\n");
        sb.append("Message-ID: <").append(dsnId).append('@').append(hostname).append(">\r\n");
        if (envelope.messageId() != null) {
            sb.append("In-Reply-To: ").append(envelope.messageId()).append("\r\n");
            sb.append("References: ").append(envelope.messageId()).append("\r\n");
        }
        sb.append("Auto-Submitted: auto-replied\r\n");
        sb.append("MIME-Version: 1.0\r\n");
        sb.append("Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"")
                .append(boundary).append("\"\r\n");
        sb.append("\r\n");
        sb.append("This is a delivery status notification in MIME format.\r\n\r\n");

        // Part 1: for people.
        sb.append("--").append(boundary).append("\r\n");
        sb.append("Content-Type: text/plain; charset=utf-8\r\n");
        sb.append("Content-Transfer-Encoding: 8bit\r\n\r\n");
        sb.append(kind.opening()).append("\r\n\r\n");
        for (var e : entries) {
            var r = e.recipient();
            sb.append(r.address()).append("\r\n");
            sb.append(explanation(kind, r)).append("\r\n\r\n");
        }
        sb.append("Diagnostic information for administrators:\r\n\r\n");
        sb.append("Generating server: ").append(hostname).append("\r\n\r\n");
        for (var e : entries) {
            var r = e.recipient();
            sb.append(r.address()).append("\r\n");
            if (r.reason() != null) {
                sb.append(textLine(r.reason()));
            }
            if (r.remoteReply() != null) {
                sb.append(textLine("Remote server returned '" + r.remoteReply().text() + "'"));
            }
            sb.append("\r\n");
        }
        if (envelope.messageId() != null) {
            sb.append("Original message: ").append(envelope.messageId()).append(", received ")
                    .append(Reply.RFC_5322_DATE.format(ZonedDateTime.ofInstant(envelope.receivedAt(), zone)))
                    .append("\r\n");
        }
        sb.append("\r\n");

        // Part 2: for programs (RFC 3464 2).
        sb.append("--").append(boundary).append("\r\n");
        sb.append("Content-Type: message/delivery-status\r\n\r\n");
        sb.append("Reporting-MTA: dns; ").append(hostname).append("\r\n");
        if (envelope.parameters().envId() != null) {
            sb.append("Original-Envelope-Id: ").append(Xtext.decode(envelope.parameters().envId())).append("\r\n");
        }
        sb.append("Arrival-Date: ").append(Reply.RFC_5322_DATE.format(ZonedDateTime.ofInstant(envelope.receivedAt(),
                zone))).append("\r\n");
        for (var e : entries) {
            var r = e.recipient();
            sb.append("\r\n");
            String orcpt = r.parameters().orcpt();
            if (orcpt != null) {
                int semi = orcpt.indexOf(';');
                sb.append("Original-Recipient: ").append(orcpt, 0, semi).append("; ")
                        .append(Xtext.decode(orcpt.substring(semi + 1))).append("\r\n");
            }
            sb.append("Final-Recipient: rfc822; ").append(r.address()).append("\r\n");
            sb.append("Action: ").append(e.action()).append("\r\n");
            sb.append("Status: ").append(statusOf(kind, r)).append("\r\n");
            var reply = r.remoteReply();
            if (reply != null) {
                sb.append(field("Remote-MTA", "dns; " + reply.host()));
                sb.append(field("Diagnostic-Code", "smtp; " + reply.text()));
            } else if (r.reason() != null && kind != DsnKind.SUCCESS) {
                sb.append(field("Diagnostic-Code", LOCAL_DIAGNOSTIC_TYPE + "; " + r.reason()));
            }
            if (e.lastAttempt() != null) {
                sb.append("Last-Attempt-Date: ").append(Reply.RFC_5322_DATE.format(
                        ZonedDateTime.ofInstant(e.lastAttempt(), zone))).append("\r\n");
            }
            if (kind == DsnKind.DELAY && retryUntil != null) {
                sb.append("Will-Retry-Until: ").append(Reply.RFC_5322_DATE.format(
                        ZonedDateTime.ofInstant(retryUntil, zone))).append("\r\n");
            }
        }
        sb.append("\r\n");

        // Part 3: the original, whole (RET=FULL) or its headers (RET=HDRS and the default).
        boolean full = envelope.parameters().ret() == DsnReturn.FULL && kind == DsnKind.FAILURE;
        sb.append("--").append(boundary).append("\r\n");
        var out = new ByteArrayOutputStream(sb.length() + content.length + 64);
        if (full) {
            sb.append("Content-Type: message/rfc822\r\n\r\n");
            out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
            out.write(content);
            if (content.length > 0 && content[content.length - 1] != '\n') {
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
        } else {
            sb.append("Content-Type: text/rfc822-headers\r\n\r\n");
            sb.append(headers);
            out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        }
        out.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** The recipient's status, or the generic one of the report's kind when it has none (RFC 3463 X.0.0). */
    private static EnhancedStatus statusOf(DsnKind kind, RecipientState r) {
        if (r.enhancedStatus() != null) {
            return r.enhancedStatus();
        }
        return new EnhancedStatus(switch (kind) {
            case FAILURE -> EnhancedStatus.PERMANENT;
            case DELAY -> EnhancedStatus.TRANSIENT;
            case SUCCESS -> EnhancedStatus.SUCCESS;
        }, 0, 0);
    }

    /** A sentence for people: for a failure, the status catalogue's words for its code. */
    static String explanation(DsnKind kind, RecipientState r) {
        if (kind == DsnKind.SUCCESS) {
            return r.remoteReply() == null ? "The message was delivered to the recipient's mailbox."
                    : "The message was handed to " + r.remoteReply().host() + ", which does not send delivery "
                    + "notifications; this is the last notification you will receive.";
        }
        if (kind == DsnKind.DELAY) {
            return "The message has not been delivered yet; the server will keep trying. No action is required.";
        }
        return StatusCatalogue.forSenders(statusOf(kind, r));
    }

    /** Control characters (the peer's, or in a reason quoting it) as '?': one line stays one line. */
    static String printable(String s) {
        var sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return sb.toString();
    }

    /** Longest line we write, in chars: under RFC 5322 2.1.1's 998 octets even at 4 octets a char. */
    private static final int MAX_LINE = 240;

    /**
     * A header field of the delivery-status part, printable, folded at spaces (RFC 5322
     * 2.2.3) so that a long remote reply stays within the line limit.
     */
    static String field(String name, String value) {
        return fold(name + ": " + printable(value), "\r\n");
    }

    /** A line of the part for people, printable, broken at spaces when it is long. */
    static String textLine(String text) {
        return fold(printable(text), "\r\n");
    }

    /**
     * Breaks a line before MAX_LINE at a space, which then opens the next line (a header's
     * folding whitespace); a word longer than that is cut, and its rest opens with a space.
     */
    private static String fold(String line, String eol) {
        var sb = new StringBuilder();
        while (line.length() > MAX_LINE) {
            int cut = line.lastIndexOf(' ', MAX_LINE);
            if (cut <= 0) {
                sb.append(line, 0, MAX_LINE).append(eol).append(' ');
                line = line.substring(MAX_LINE);
            } else {
                sb.append(line, 0, cut).append(eol);
                line = line.substring(cut);
            }
        }
        return sb.append(line).append(eol).toString();
    }

    /** The original's header section (up to the empty line), CRLF-terminated. */
    static String headerSection(byte[] content) {
        String text = new String(content, 0, Math.min(content.length, 256 * 1024), StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            end = text.indexOf("\n\n");
        }
        String h = end < 0 ? text : text.substring(0, end);
        return h.isEmpty() ? "" : h + "\r\n";
    }

    static String originalSubject(String headers) {
        String[] lines = headers.split("\r?\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].toLowerCase(Locale.ROOT).startsWith("subject:")) {
                var sb = new StringBuilder(lines[i].substring(8).strip());
                while (i + 1 < lines.length && !lines[i + 1].isEmpty()
                        && (lines[i + 1].charAt(0) == ' ' || lines[i + 1].charAt(0) == '\t')) {
                    sb.append(' ').append(lines[++i].strip());
                }
                return sb.toString();
            }
        }
        return null;
    }
}
