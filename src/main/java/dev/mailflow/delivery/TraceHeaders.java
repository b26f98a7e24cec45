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
        var sb = new StringBuilder("Received: from ").append(helo).append(" (").append(literal).append(")\r\n")
                .append("\tby ").append(hostname).append(" with ").append(e.protocol())
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
        if (e.messageIdGenerated()) {
            sb.append("Message-ID: ").append(e.messageId()).append("\r\n");
        }
        return sb.toString();
    }
}
