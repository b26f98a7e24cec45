package dev.mailflow.queue;

import dev.mailflow.smtp.MailAddress;
import dev.mailflow.smtp.MailParameters;
import java.time.Instant;
import java.util.List;

/**
 * Everything known about a received message apart from its content: who sent it to whom,
 * with which ESMTP parameters, over which connection.
 *
 * @param internalId    the queue id, shown as InternalId in the 250 reply
 * @param messageId     the Message-ID header of the content, or one made for it
 * @param messageIdGenerated true when the content had no Message-ID and delivery must add it
 * @param protocol      SMTP, ESMTP, ESMTPS, ESMTPA, ESMTPSA (RFC 3848): the "with" of Received
 * @param tls           TLS protocol and cipher of the connection, or null
 * @param authUser      the authenticated user, or null
 * @param addDate       the message had no Date header and came by submission: delivery adds one
 * @param addedHeaders  header fields the receiving checks added (Authentication-Results, ...), each
 *                      ending in CRLF, to put in front of the content below the Received field
 * @param authentication the email authentication results, or null when the message was not checked
 */
public record Envelope(long internalId, String messageId, boolean messageIdGenerated, Instant receivedAt,
                       String connector, String clientAddress, String heloName, String protocol,
                       MailAddress sender, MailParameters parameters, List<EnvelopeRecipient> recipients,
                       long size, String tls, String authUser, boolean addDate, List<String> addedHeaders,
                       AuthSummary authentication) {

    public Envelope {
        recipients = List.copyOf(recipients);
        addedHeaders = addedHeaders == null ? List.of() : List.copyOf(addedHeaders);
    }

    /** A message that no check looked at (notices the server makes, tests). */
    public Envelope(long internalId, String messageId, boolean messageIdGenerated, Instant receivedAt,
                    String connector, String clientAddress, String heloName, String protocol,
                    MailAddress sender, MailParameters parameters, List<EnvelopeRecipient> recipients,
                    long size, String tls, String authUser, boolean addDate) {
        this(internalId, messageId, messageIdGenerated, receivedAt, connector, clientAddress, heloName, protocol,
                sender, parameters, recipients, size, tls, authUser, addDate, List.of(), null);
    }
}
