package dev.mailflow.delivery.remote;

import dev.mailflow.delivery.TraceHeaders;
import dev.mailflow.delivery.signing.OutboundSigner;
import dev.mailflow.queue.DeliveryAgent;
import dev.mailflow.queue.QueuedMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;

/**
 * The forms in which one message goes out during one delivery attempt, each made and signed
 * once however many domains and next hops get it: as queued, and converted to 7 bits for next
 * hops without 8BITMIME (RFC 6152 section 3). A form is what follows our Received field on
 * the wire: the header fields delivery adds (a missing Message-ID or Date, RFC 6409 8.2, 8.3)
 * and the content; the {@link OutboundSigner}'s fields (DKIM-Signature) are computed over
 * exactly that and go above the Received field.
 *
 * <p>The queued form is streamed from the queue file each time it is read (signing reads it
 * once, each transaction once more); only the 7-bit form lives in memory, as the converter
 * makes it.
 */
final class OutgoingForms {

    /**
     * One form of the message.
     *
     * @param signature the signer's fields, to put first
     * @param added     the fields delivery adds below Received (Message-ID, Date), or empty
     * @param content   the content, without {@code added}
     * @param size      the octets of {@code content}
     */
    record Form(byte[] signature, byte[] added, DeliveryAgent.Content content, long size) {

        /** Everything below our Received field, as it goes out. */
        InputStream belowTrace() throws IOException {
            return new SequenceInputStream(new ByteArrayInputStream(added), content.open());
        }

        /** The octets of {@code belowTrace()}. */
        long belowTraceSize() {
            return added.length + size;
        }
    }

    private final QueuedMessage message;
    private final DeliveryAgent.Content queued;
    private final OutboundSigner signer;
    private final byte[] added;
    private Form original;
    private Form sevenBit;
    private boolean sevenBitTried;

    OutgoingForms(QueuedMessage message, DeliveryAgent.Content queued, OutboundSigner signer, ZoneId zone) {
        this.message = message;
        this.queued = queued;
        this.signer = signer;
        this.added = TraceHeaders.missingHeaders(message.envelope(), zone).getBytes(StandardCharsets.UTF_8);
    }

    /** The message as queued, signed. */
    synchronized Form original() throws IOException {
        if (original == null) {
            original = signed(queued, message.envelope().size());
        }
        return original;
    }

    /** The message converted to 7 bits, signed; null when it cannot be converted. */
    synchronized Form sevenBit() throws IOException {
        if (!sevenBitTried) {
            sevenBitTried = true;
            byte[] seven;
            try (InputStream in = queued.open()) {
                seven = SevenBitConverter.convert(in);
            }
            if (seven != null) {
                sevenBit = signed(() -> new ByteArrayInputStream(seven), seven.length);
            }
        }
        return sevenBit;
    }

    private Form signed(DeliveryAgent.Content content, long size) throws IOException {
        var unsigned = new Form(new byte[0], added, content, size);
        String fields = signer.fieldsFor(message.envelope(), unsigned::belowTrace);
        return new Form(fields.getBytes(StandardCharsets.UTF_8), added, content, size);
    }
}
