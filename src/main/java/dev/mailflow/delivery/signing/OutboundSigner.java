package dev.mailflow.delivery.signing;

import dev.mailflow.queue.DeliveryAgent;
import dev.mailflow.queue.Envelope;
import java.io.IOException;
import java.util.List;

/**
 * The seam where outgoing mail gets header fields that vouch for it: DKIM-Signature fields
 * now (RFC 6376 section 5.6), an ARC set later (RFC 8617 section 5.1). Remote delivery calls it
 * once for each form of a message it sends (as queued, or converted to 7 bits for a next hop
 * without 8BITMIME), with the exact bytes that follow the fields on the wire apart from its
 * own Received field, and puts what it returns at the very top of the message.
 *
 * <p>Implementations are thread-safe: deliveries run at once.
 */
@FunctionalInterface
public interface OutboundSigner {

    /** Signs nothing. */
    OutboundSigner NONE = (envelope, message) -> "";

    /** Each signer's fields, in order (each decides for itself whether the message is its kind). */
    static OutboundSigner allOf(OutboundSigner... signers) {
        List<OutboundSigner> list = List.of(signers);
        return (envelope, message) -> {
            var sb = new StringBuilder();
            for (var s : list) {
                sb.append(s.fieldsFor(envelope, message));
            }
            return sb.toString();
        };
    }

    /**
     * The header fields to prepend, each ending in CRLF, or "" for none.
     *
     * @param envelope the queued message's envelope
     * @param message  the bytes that go out below our Received field: the header fields
     *                 delivery adds (a missing Message-ID or Date) and the content, CRLF
     *                 line ends, not dot-stuffed
     */
    String fieldsFor(Envelope envelope, DeliveryAgent.Content message) throws IOException;
}
