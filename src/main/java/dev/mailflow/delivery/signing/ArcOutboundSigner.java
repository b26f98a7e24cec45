package dev.mailflow.delivery.signing;

import dev.mailflow.auth.AuthenticationResults;
import dev.mailflow.auth.arc.ArcOutcome;
import dev.mailflow.auth.arc.ArcResult;
import dev.mailflow.auth.arc.ArcSealer;
import dev.mailflow.auth.dkim.DkimAlgorithm;
import dev.mailflow.auth.dkim.DkimSigningKey;
import dev.mailflow.queue.AuthSummary;
import dev.mailflow.queue.DeliveryAgent;
import dev.mailflow.queue.Envelope;
import dev.mailflow.queue.EnvelopeRecipient;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ARC sealing of forwarded mail (RFC 8617 section 5.1): a message that came from a stranger,
 * was checked on arrival, and leaves again by remote delivery (an alias that points outside)
 * gets an ARC set carrying the results this server found, so that the next receiver can trust
 * them when the forwarding breaks SPF (and DMARC with it).
 *
 * <ul>
 * <li><b>Which mail</b>: not our own ({@link Envelope#ours()}: that is DKIM-signed instead),
 *     checked on arrival ({@link Envelope#authentication()} present); the server's own notices
 *     never.</li>
 * <li><b>Which key</b>: an RSA key ({@code rsa-sha256}; the large receivers and dkimpy verify
 *     ARC with RSA only) of the domain the mail was sent to (the alias's domain) or its
 *     nearest parent, else of the server's host name's domain, else the first RSA key
 *     configured. No RSA key: no seal, and a line in the debug log.</li>
 * <li><b>The results</b> (ARC-Authentication-Results): the Authentication-Results value the
 *     server added on arrival; the chain validation (cv=) is the ARC result found then.</li>
 * </ul>
 * The message is read whole to seal it (forwarded mail only, bounded by the receive
 * connector's max_message_size).
 */
public final class ArcOutboundSigner implements OutboundSigner {

    private static final Logger LOG = LoggerFactory.getLogger(ArcOutboundSigner.class);

    private final List<DkimSigningKey> keys;
    private final String authservId;
    private final Clock clock;

    /**
     * @param keys       the [[dkim_key]] keys
     * @param authservId our host name (the Authentication-Results authserv-id)
     */
    public ArcOutboundSigner(List<DkimSigningKey> keys, String authservId, Clock clock) {
        this.keys = keys.stream().filter(k -> k.algorithm() == DkimAlgorithm.RSA_SHA256).toList();
        this.authservId = authservId;
        this.clock = clock;
    }

    @Override
    public String fieldsFor(Envelope envelope, DeliveryAgent.Content message) throws IOException {
        AuthSummary auth = envelope.authentication();
        if (envelope.ours() || auth == null || keys.isEmpty()) {
            return "";
        }
        var key = keyFor(envelope);
        if (key.isEmpty()) {
            return "";
        }
        String results = ourResults(envelope);
        if (results == null) {
            LOG.debug("message {}: not ARC-sealed: no Authentication-Results of ours", envelope.internalId());
            return "";
        }
        byte[] content;
        try (InputStream in = message.open()) {
            content = in.readAllBytes();
        }
        return new ArcSealer(key.get(), clock).seal(content, authservId, results, chain(auth.arc()));
    }

    /** The key for the alias's domain or a parent, else the host name's domain, else the first. */
    private Optional<DkimSigningKey> keyFor(Envelope envelope) {
        for (EnvelopeRecipient r : envelope.recipients()) {
            var k = keyForDomain(r.address().domain());
            if (k.isPresent()) {
                return k;
            }
        }
        int dot = authservId.indexOf('.');
        var k = dot < 0 ? Optional.<DkimSigningKey>empty() : keyForDomain(authservId.substring(dot + 1));
        return k.isPresent() ? k : keys.stream().findFirst();
    }

    private Optional<DkimSigningKey> keyForDomain(String domain) {
        String d = domain.toLowerCase(Locale.ROOT);
        while (!d.isEmpty()) {
            String wanted = d;
            var k = keys.stream().filter(x -> x.domain().equalsIgnoreCase(wanted)).findFirst();
            if (k.isPresent()) {
                return k;
            }
            int dot = d.indexOf('.');
            d = dot < 0 ? "" : d.substring(dot + 1);
        }
        return Optional.empty();
    }

    /** The value of the Authentication-Results field the server added, without its name. */
    private static String ourResults(Envelope envelope) {
        String prefix = AuthenticationResults.FIELD_NAME + ":";
        for (String field : envelope.addedHeaders()) {
            if (field.regionMatches(true, 0, prefix, 0, prefix.length())) {
                return field.substring(prefix.length()).strip();
            }
        }
        return null;
    }

    /** The chain as validated on arrival. */
    private static ArcOutcome chain(AuthSummary.Check arc) {
        if (arc == null) {
            return ArcOutcome.none();
        }
        ArcResult result = switch (arc.result()) {
            case "pass" -> ArcResult.PASS;
            case "fail" -> ArcResult.FAIL;
            default -> ArcResult.NONE;
        };
        int instances = 0;
        if (arc.detail() != null && arc.detail().startsWith("i=")) {
            try {
                instances = Integer.parseInt(arc.detail().substring(2));
            } catch (NumberFormatException e) {
                instances = 0;
            }
        }
        return new ArcOutcome(result, instances, 0, arc.reason() == null ? "" : arc.reason(), List.of(), List.of());
    }
}
