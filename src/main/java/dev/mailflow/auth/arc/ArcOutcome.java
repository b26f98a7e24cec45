package dev.mailflow.auth.arc;

import java.util.List;

/**
 * What ARC chain validation found (RFC 8617 section 5.2).
 *
 * @param result     none (no ARC sets), pass or fail
 * @param instances  the highest i= of the chain; 0 when there is none
 * @param oldestPass for a pass, the lowest instance from which every ARC-Message-Signature
 *                   up to the newest still verifies (header.oldest-pass, RFC 8617 5.2
 *                   step 5): 1 when the message is unchanged since the first sealer; 0 for
 *                   none and fail
 * @param reason     one sentence for a person
 * @param sealers    the d= of each ARC-Seal, instance 1 first
 * @param trace      the steps taken, one line each
 */
public record ArcOutcome(ArcResult result, int instances, int oldestPass, String reason, List<String> sealers,
        List<String> trace) {

    public ArcOutcome {
        sealers = List.copyOf(sealers);
        trace = List.copyOf(trace);
    }

    public static ArcOutcome none() {
        return new ArcOutcome(ArcResult.NONE, 0, 0, "the message has no ARC sets", List.of(), List.of());
    }
}
