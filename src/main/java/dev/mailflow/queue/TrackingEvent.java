package dev.mailflow.queue;

import java.time.Instant;
import java.util.List;

/**
 * One line of the message tracking log (Exchange's message tracking): one event per step a
 * message takes. Fields that do not apply are null and left out of the JSON.
 *
 * @param event      RECEIVE, DELIVER, SEND, DEFER, FAIL, EXPAND, DSN, DELETE, HOLD, RELEASE, RETRY;
 *                   REJECT (a command or message refused at the SMTP server, id 0 before DATA),
 *                   DISCARD (accepted with 250 and delivered to no one, by a filter)
 * @param recipients the recipients the event is about
 * @param status     an RFC 3463 code, when there is one
 * @param detail     what happened, in words (a reply, a reason, alias targets)
 * @param authentication for RECEIVE: the email authentication results, when the message was checked
 * @param tls        for SEND: the TLS version and cipher, the policy, and what authenticated the peer
 * @param check      for REJECT (and DISCARD): the check that refused and which list, limit or
 *                   filter, {@code dnsbl zen.example}, {@code limit messages per IP per hour},
 *                   {@code milter rspamd}; its first word is the reason the metrics count
 */
public record TrackingEvent(Instant time, String event, long id, String messageId, String sender,
                            List<String> recipients, String connector, String clientAddress, Long size,
                            String status, String detail, String remoteMta, AuthSummary authentication,
                            TlsSummary tls, String check) {

    public TrackingEvent {
        recipients = recipients == null ? List.of() : List.copyOf(recipients);
    }

    public TrackingEvent(Instant time, String event, long id, String messageId, String sender,
                         List<String> recipients, String connector, String clientAddress, Long size,
                         String status, String detail, String remoteMta) {
        this(time, event, id, messageId, sender, recipients, connector, clientAddress, size, status, detail,
                remoteMta, null, null, null);
    }

    public TrackingEvent(Instant time, String event, long id, String messageId, String sender,
                         List<String> recipients, String connector, String clientAddress, Long size,
                         String status, String detail, String remoteMta, AuthSummary authentication,
                         TlsSummary tls) {
        this(time, event, id, messageId, sender, recipients, connector, clientAddress, size, status, detail,
                remoteMta, authentication, tls, null);
    }

    /** The reason of a REJECT or DISCARD event: the first word of its check, or null. */
    public String reason() {
        if (check == null || check.isEmpty()) {
            return null;
        }
        int space = check.indexOf(' ');
        return space < 0 ? check : check.substring(0, space);
    }

    public TrackingEvent(Instant time, String event, long id, String messageId, String sender,
                         List<String> recipients, String connector, String clientAddress, Long size,
                         String status, String detail, String remoteMta, AuthSummary authentication) {
        this(time, event, id, messageId, sender, recipients, connector, clientAddress, size, status, detail,
                remoteMta, authentication, null, null);
    }
}
