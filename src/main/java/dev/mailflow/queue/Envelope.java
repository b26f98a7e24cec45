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
 * @param trustedOrigin the message is our own users' or our own: it came from a client in the
 *                      connector's {@code relay_from} networks, or the server made it (a DSN).
 *                      With {@code authUser}, this is what remote delivery DKIM-signs; mail from
 *                      anonymous internet clients never is, whatever its From says. False for
 *                      messages queued before the field existed.
 */
public record Envelope(long internalId, String messageId, boolean messageIdGenerated, Instant receivedAt,
                       String connector, String clientAddress, String heloName, String protocol,
                       MailAddress sender, MailParameters parameters, List<EnvelopeRecipient> recipients,
                       long size, String tls, String authUser, boolean addDate, List<String> addedHeaders,
                       AuthSummary authentication, boolean trustedOrigin) {

    public Envelope {
        recipients = List.copyOf(recipients);
        addedHeaders = addedHeaders == null ? List.of() : List.copyOf(addedHeaders);
    }

    /**
     * A message that no check looked at (tests, messages of older versions), not known to be
     * ours ({@code trustedOrigin} false).
     */
    public Envelope(long internalId, String messageId, boolean messageIdGenerated, Instant receivedAt,
                    String connector, String clientAddress, String heloName, String protocol,
                    MailAddress sender, MailParameters parameters, List<EnvelopeRecipient> recipients,
                    long size, String tls, String authUser, boolean addDate) {
        this(internalId, messageId, messageIdGenerated, receivedAt, connector, clientAddress, heloName, protocol,
                sender, parameters, recipients, size, tls, authUser, addDate, List.of(), null, false);
    }

    /** Whether remote delivery may DKIM-sign it: an authenticated client's, or of trusted origin. */
    public boolean ours() {
        return authUser != null || trustedOrigin;
    }
}
