package dev.mailflow.delivery.signing;

import dev.mailflow.auth.dkim.SigningInput;
import dev.mailflow.queue.DeliveryAgent;
import dev.mailflow.queue.Envelope;
import java.io.IOException;
import java.io.InputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DKIM signing of mail that leaves by remote delivery (RFC 6376 section 5), by MX or through a
 * send connector:
 *
 * <ul>
 * <li><b>What is signed</b>: mail of our own users and systems only, that is, from an
 *     authenticated client ({@link Envelope#authUser()}), from a client in the receiving
 *     connector's {@code relay_from} networks, or made by the server (DSNs):
 *     {@link Envelope#ours()}. SECURITY: mail that arrived anonymously from the internet is never
 *     signed, so a forged {@code From:} of one of our domains, forwarded on by an alias, does
 *     not get our signature.</li>
 * <li><b>With which keys</b>: those of the RFC 5322.From domain or its nearest parent
 *     ({@link DkimKeyring}); no From domain, or no key for it, means no signature.</li>
 * <li><b>Over what</b>: the exact bytes that go on the wire below the signatures, read once as
 *     a stream, so a large message is never held in memory ({@link SigningInput}): after any
 *     8BITMIME to 7-bit conversion, with the Message-ID or Date that delivery adds. Our
 *     Received field goes between the signatures and those bytes and is not signed (it is
 *     per next hop; {@code SignedHeaders} never lists trace fields): the signatures are
 *     prepended above it, as RFC 6376 section 5.6 and its note in section 5.4 suggest. Nothing
 *     changes below them afterwards.</li>
 * <li><b>How</b>: relaxed/relaxed, the header fields of {@code SignedHeaders} with From, To,
 *     Cc, Subject and Reply-To oversigned, t=, no l=; one signature per key.</li>
 * </ul>
 */
public final class DkimOutboundSigner implements OutboundSigner {

    private static final Logger LOG = LoggerFactory.getLogger(DkimOutboundSigner.class);

    private final DkimKeyring keyring;

    public DkimOutboundSigner(DkimKeyring keyring) {
        this.keyring = keyring;
    }

    public DkimKeyring keyring() {
        return keyring;
    }

    @Override
    public String fieldsFor(Envelope envelope, DeliveryAgent.Content message) throws IOException {
        if (keyring.isEmpty() || !envelope.ours()) {
            return "";
        }
        try (InputStream in = message.open()) {
            var input = SigningInput.read(in);
            var domain = input.fromDomain();
            if (domain.isEmpty()) {
                LOG.debug("message {}: not DKIM-signed: no single usable From domain", envelope.internalId());
                return "";
            }
            var signers = keyring.signersFor(domain.get());
            if (signers.isEmpty()) {
                LOG.debug("message {}: not DKIM-signed: no [[dkim_key]] for {} or a parent domain",
                        envelope.internalId(), domain.get());
                return "";
            }
            return String.join("", input.sign(signers));
        }
    }
}
