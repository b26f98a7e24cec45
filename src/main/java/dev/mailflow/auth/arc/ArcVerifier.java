package dev.mailflow.auth.arc;

import dev.mailflow.auth.dkim.DkimKeyLookup;
import java.time.Clock;
import java.util.Objects;

/** ARC chain validation (RFC 8617 section 5.2). */
public final class ArcVerifier {

    private final DkimKeyLookup keys;
    private final Clock clock;

    public ArcVerifier(DkimKeyLookup keys, Clock clock) {
        this.keys = Objects.requireNonNull(keys);
        this.clock = Objects.requireNonNull(clock);
    }

    /** @param message the message as received, CRLF or LF line ends */
    public ArcOutcome verify(byte[] message) {
        return ArcOutcome.none();
    }
}
