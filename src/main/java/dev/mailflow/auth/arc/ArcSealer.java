package dev.mailflow.auth.arc;

import dev.mailflow.auth.dkim.DkimSigningKey;
import java.time.Clock;
import java.util.Objects;

/** ARC sealing (RFC 8617 section 5.1): adds ARC-Authentication-Results, ARC-Message-Signature and ARC-Seal. */
public final class ArcSealer {

    private final DkimSigningKey key;
    private final Clock clock;

    public ArcSealer(DkimSigningKey key, Clock clock) {
        this.key = Objects.requireNonNull(key);
        this.clock = Objects.requireNonNull(clock);
    }

    /**
     * The three ARC header fields for the next instance, each ending in CRLF, to put at the top
     * of {@code message}; the message itself is not changed.
     *
     * @param message       the message as it will leave (CRLF line ends)
     * @param authservId    our host name
     * @param results       the Authentication-Results value we computed (after the authserv-id)
     * @param chain         the validation of the chain as received
     */
    public String seal(byte[] message, String authservId, String results, ArcOutcome chain) {
        throw new UnsupportedOperationException("ARC sealing is not written yet");
    }
}
