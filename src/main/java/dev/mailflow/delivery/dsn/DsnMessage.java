package dev.mailflow.delivery.dsn;

import dev.mailflow.queue.Envelope;
import dev.mailflow.queue.RecipientState;
import dev.mailflow.smtp.DsnReturn;
import dev.mailflow.smtp.Reply;
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
 */
public final class DsnMessage {

    private DsnMessage() {
    }

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
            if (r.diagnostic() != null && r.diagnostic().startsWith("delivery time expired")) {
                int cut = r.diagnostic().indexOf("; last error");
                sb.append("The server gave up: ").append(cut < 0 ? r.diagnostic() : r.diagnostic().substring(0, cut))
                        .append(".\r\n");
            }
            if (r.remoteMta() != null && r.diagnostic() != null) {
                sb.append("Remote server returned '").append(remoteReply(r.diagnostic())).append("'\r\n");
            } else if (r.diagnostic() != null) {
                sb.append(r.diagnostic()).append("\r\n");
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
            if (r.remoteMta() != null) {
                sb.append("Remote-MTA: dns; ").append(r.remoteMta()).append("\r\n");
                if (r.diagnostic() != null) {
                    sb.append("Diagnostic-Code: smtp; ").append(remoteReply(r.diagnostic())).append("\r\n");
                }
            } else if (r.diagnostic() != null && kind != DsnKind.SUCCESS) {
                sb.append("Diagnostic-Code: x-mailflow; ").append(r.diagnostic()).append("\r\n");
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

    private static String statusOf(DsnKind kind, RecipientState r) {
        if (r.enhancedStatus() != null) {
            return r.enhancedStatus();
        }
        return switch (kind) {
            case FAILURE -> "5.0.0";
            case DELAY -> "4.0.0";
            case SUCCESS -> "2.0.0";
        };
    }

    /** The remote reply as quoted in the report: the part after "host said: ". */
    static String remoteReply(String diagnostic) {
        int said = diagnostic.indexOf(" said: ");
        return said < 0 ? diagnostic : diagnostic.substring(said + 7);
    }

    /** A sentence for people, by the status code (RFC 3463 classes and the seeds' reasons). */
    static String explanation(DsnKind kind, RecipientState r) {
        if (kind == DsnKind.SUCCESS) {
            return r.remoteMta() == null ? "The message was delivered to the recipient's mailbox."
                    : "The message was handed to " + r.remoteMta() + ", which does not send delivery notifications;"
                    + " this is the last notification you will receive.";
        }
        if (kind == DsnKind.DELAY) {
            return "The message has not been delivered yet; the server will keep trying. No action is required.";
        }
        String s = r.enhancedStatus() == null ? "" : r.enhancedStatus();
        String[] p = s.split("\\.");
        String key = p.length == 3 ? p[1] + "." + p[2] : "";
        return switch (key) {
            case "1.1" -> "The e-mail address you entered couldn't be found. Check the recipient's address and try again.";
            case "1.2", "4.4" -> "The recipient's domain couldn't be found or has no mail server.";
            case "1.10" -> "The recipient's domain accepts no e-mail (it publishes a null MX record).";
            case "2.2" -> "The recipient's mailbox is full and the message couldn't be delivered in time.";
            case "3.4", "2.3" -> "The message is too big for the recipient's server.";
            case "4.6" -> "The message was routed in a loop and couldn't be delivered.";
            case "4.7" -> "The message couldn't be delivered in time: the destination kept failing.";
            case "7.1" -> "The recipient's server refused the message by policy.";
            case "6.3", "6.7" -> "The recipient's server can't accept the message as it is written.";
            default -> "The message couldn't be delivered.";
        };
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
