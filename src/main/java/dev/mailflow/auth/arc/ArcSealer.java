package dev.mailflow.auth.arc;

import dev.mailflow.auth.dkim.ArcSignatures;
import dev.mailflow.auth.dkim.ArcSignatures.Field;
import dev.mailflow.auth.dkim.DkimSigningKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * ARC sealing (RFC 8617 section 5.1): adds ARC-Authentication-Results, ARC-Message-Signature
 * and ARC-Seal for instance N+1 of a chain of N sets.
 *
 * <ul>
 * <li>ARC-Authentication-Results (4.1.1): {@code i=N+1; authserv-id; results}, the results
 *     this hop computed, as Authentication-Results carries them.</li>
 * <li>ARC-Message-Signature (4.1.2): relaxed/relaxed, the header fields DKIM signing signs
 *     (From oversigned) plus the DKIM-Signature fields present, over the message as it
 *     leaves; no l=.</li>
 * <li>ARC-Seal (4.1.3, 5.1.1): cv= the validation of the chain as received (none for the
 *     first set, pass, or fail), signed over every ARC set, oldest first, then the new AAR
 *     and AMS, in relaxed form. When the chain failed, cv=fail, and the seal covers only the
 *     new set, as dkimpy does: a failed chain stays failed (5.2 step 2 stops at it), so nothing
 *     sealed after it can pass.</li>
 * </ul>
 * rsa-sha256 and ed25519-sha256, from the {@link DkimSigningKey}'s type.
 *
 * <p>Thread-safe.
 */
public final class ArcSealer {

    private final DkimSigningKey key;
    private final Clock clock;

    public ArcSealer(DkimSigningKey key, Clock clock) {
        this.key = Objects.requireNonNull(key);
        this.clock = Objects.requireNonNull(clock);
    }

    /**
     * The three ARC header fields for the next instance, each ending in CRLF, to put at the top
     * of {@code message}; the message itself is not changed. Returns "" when the chain already
     * has the 50 sets ARC allows (RFC 8617 4.2.1): such a message cannot be sealed again.
     *
     * @param message       the message as it will leave (CRLF line ends)
     * @param authservId    our host name
     * @param results       the Authentication-Results value we computed (after the authserv-id;
     *                      a value that still starts with "authservId;" is accepted too)
     * @param chain         the validation of the chain as received
     */
    public String seal(byte[] message, String authservId, String results, ArcOutcome chain) {
        Objects.requireNonNull(chain);
        List<Field> headers = ArcSignatures.headerFields(message);
        ArcChain existing = ArcChain.of(headers);
        int instance = Math.max(chain.instances(), existing.instances()) + 1;
        if (instance > ArcChain.MAX_SETS) {
            return "";
        }
        boolean intact = existing.problem() == null && existing.instances() == chain.instances();
        String cv = chain.result() == ArcResult.FAIL ? "fail" : instance == 1 ? "none"
                : chain.result() == ArcResult.PASS && intact ? "pass" : "fail";

        String aar = ArcSignatures.AAR + ": i=" + instance + "; " + authservId + ";" + resultsText(authservId, results)
                + "\r\n";
        String ams = ArcSignatures.messageSignature(message, key, clock, instance);

        var covered = new ArrayList<Field>();
        if (cv.equals("pass")) {
            covered.addAll(existing.fieldsUpTo(instance - 1));
        }
        covered.add(Field.of(aar));
        covered.add(Field.of(ams));
        String as = ArcSignatures.seal(covered, key, clock, instance, cv);
        return as + ams + aar;
    }

    /**
     * The results, each line folded with CRLF TAB (no bare CR or LF can reach the header),
     * or " none" (RFC 8601 2.2's no-result) when there are none.
     */
    private static String resultsText(String authservId, String results) {
        String r = results == null ? "" : results.strip();
        if (r.regionMatches(true, 0, authservId + ";", 0, authservId.length() + 1)) {
            r = r.substring(authservId.length() + 1).strip();
        }
        var lines = r.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        if (lines.isEmpty()) {
            return " none";
        }
        return "\r\n\t" + String.join("\r\n\t", lines);
    }
}
