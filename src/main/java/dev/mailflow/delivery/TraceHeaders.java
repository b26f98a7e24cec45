package dev.mailflow.delivery;

import dev.mailflow.queue.Envelope;
import dev.mailflow.smtp.MailAddress;
import dev.mailflow.smtp.Reply;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * The trace headers a delivered copy gets: Return-Path (RFC 5321 4.4, at final delivery),
 * Received (RFC 5321 4.4 time-stamp line), Delivered-To (as Postfix and qmail write it),
 * and a Message-ID when the message had none and the 250 reply named one for it.
 */
public final class TraceHeaders {

    private TraceHeaders() {
    }

    /**
     * {@code Received: from <helo> ([<ip>]) by <host> with <protocol> id <queue id> for <rcpt>; <date>},
     * folded after the id.
     */
    public static String received(Envelope e, String hostname, MailAddress recipient, ZoneId zone) {
        String helo = e.heloName() == null ? "unknown" : e.heloName();
        String client = e.clientAddress();
        String literal = client.indexOf(':') >= 0 ? "[IPv6:" + client + "]" : "[" + client + "]";
        var sb = new StringBuilder("Received: from ").append(helo).append(" (").append(literal).append(")\r\n");
        if (e.tls() != null) {
            int space = e.tls().indexOf(' ');
            sb.append("\t(using ").append(space < 0 ? e.tls() : e.tls().substring(0, space));
            if (space >= 0) {
                sb.append(" with cipher ").append(e.tls().substring(space + 1));
            }
            sb.append(")\r\n");
        }
        sb.append("\tby ").append(hostname).append(" with ").append(e.protocol())
                .append(" id ").append(e.internalId());
        if (recipient != null) {
            sb.append("\r\n\tfor ").append(recipient.toPath());
        }
        sb.append("; ").append(Reply.RFC_5322_DATE.format(ZonedDateTime.ofInstant(e.receivedAt(), zone)))
                .append("\r\n");
        return sb.toString();
    }

    /** The headers put in front of a locally delivered copy. */
    public static String forLocalDelivery(Envelope e, String hostname, MailAddress original, MailAddress mailbox,
                                          ZoneId zone) {
        var sb = new StringBuilder();
        sb.append("Return-Path: <").append(e.sender()).append(">\r\n");
        sb.append("Delivered-To: ").append(mailbox).append("\r\n");
        sb.append(received(e, hostname, original, zone));
        sb.append(added(e));
        sb.append(missingHeaders(e, zone));
        return sb.toString();
    }

    /**
     * The headers of one file shared by many mailboxes (hard links): the same as
     * {@link #forLocalDelivery} but for no single recipient, so without Delivered-To and with a
     * Received that has no "for" clause (RFC 5321 4.4 makes it optional, and 7.2 warns that it
     * tells one recipient about the others).
     */
    public static String forSharedLocalDelivery(Envelope e, String hostname, ZoneId zone) {
        return "Return-Path: <" + e.sender() + ">\r\n" + received(e, hostname, null, zone) + added(e)
                + missingHeaders(e, zone);
    }

    /**
     * What the receiving checks added (Authentication-Results, RFC 8601 5: at the top of the
     * header, under the Received field of the same hop).
     */
    public static String added(Envelope e) {
        return String.join("", e.addedHeaders());
    }

    /**
     * What the message lacked and the server added (RFC 6409 8.2, 8.3): a Message-ID (the one
     * the 250 named) and, for submitted messages, a Date.
     */
    public static String missingHeaders(Envelope e, ZoneId zone) {
        var sb = new StringBuilder();
        if (e.messageIdGenerated()) {
            sb.append("Message-ID: ").append(e.messageId()).append("\r\n");
        }
        if (e.addDate()) {
            sb.append("Date: ").append(Reply.RFC_5322_DATE.format(ZonedDateTime.ofInstant(e.receivedAt(), zone)))
                    .append("\r\n");
        }
        return sb.toString();
    }
}
