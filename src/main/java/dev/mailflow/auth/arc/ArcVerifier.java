package dev.mailflow.auth.arc;

import dev.mailflow.auth.dkim.ArcSignatures;
import dev.mailflow.auth.dkim.DkimKeyLookup;
import dev.mailflow.auth.dkim.DkimPolicy;
import dev.mailflow.auth.dkim.DkimResult;
import dev.mailflow.auth.dkim.ParsedMessage;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * ARC chain validation (RFC 8617 section 5.2), the steps in order:
 * <ol>
 * <li>collect the ARC sets; none: cv=none. More than 50, or a field without a valid i=, or a
 *     field twice for one instance: fail ({@link ArcChain});</li>
 * <li>the newest ARC-Seal says cv=fail: fail, the chain was broken before us;</li>
 * <li>structure: instances 1..N without gaps, each set complete, cv=none at 1, pass above;</li>
 * <li>the newest ARC-Message-Signature verifies as a DKIM signature does (key, body hash,
 *     b=); else fail;</li>
 * <li>every ARC-Seal verifies over the sets up to its own (5.1.1), newest first; else fail;</li>
 * <li>oldest-pass: the older AMSs are checked from N-1 down; {@link ArcOutcome#oldestPass()}
 *     is the lowest instance from which every AMS up to N still verifies (1 when all do).</li>
 * </ol>
 * A key that cannot be fetched for now fails the chain too (ARC has no temperror); the reason
 * says so.
 *
 * <p>SECURITY: the message and DNS answers are untrusted; nothing here throws on them.
 * Thread-safe.
 */
public final class ArcVerifier {

    private final ArcSignatures signatures;

    public ArcVerifier(DkimKeyLookup keys, Clock clock) {
        this.signatures = new ArcSignatures(Objects.requireNonNull(keys), Objects.requireNonNull(clock),
                DkimPolicy.standard());
    }

    /** @param message the message as received, CRLF or LF line ends */
    public ArcOutcome verify(byte[] message) {
        return verify(ParsedMessage.of(message));
    }

    /** The same, for a message already split into its fields (which the other checks read too). */
    public ArcOutcome verify(ParsedMessage message) {
        try {
            return check(message.withCrlfLineEnds());
        } catch (RuntimeException e) {
            return fail(0, "the chain could not be checked because of an error in the verifier", List.of(),
                    List.of());
        }
    }

    private ArcOutcome check(ParsedMessage m) {
        ArcChain chain = ArcChain.of(m.fields());
        if (chain.empty()) {
            return ArcOutcome.none();
        }
        var trace = new ArrayList<String>();
        int n = chain.instances();
        var sealers = new ArrayList<String>();
        for (int i = 1; i <= n; i++) {
            ArcChain.ArcSet s = chain.set(i);
            sealers.add(s == null || s.sealDomain.isEmpty() ? "?" : ArcSignatures.shorten(s.sealDomain));
        }
        ArcChain.ArcSet newest = chain.set(n);
        if (newest != null && newest.cv.equalsIgnoreCase("fail")) {
            return fail(n, "the ARC-Seal i=" + n + " by " + sealers.get(n - 1)
                    + " says cv=fail: the chain was already broken when it was sealed (RFC 8617 5.2 step 2)",
                    sealers, trace);
        }
        if (chain.problem() != null) {
            return fail(n, chain.problem(), sealers, trace);
        }
        trace.add(n + " ARC set(s), structure valid (i=1 cv=none" + (n > 1 ? ", later cv=pass" : "") + ")");

        DkimResult ams = signatures.verifyMessageSignature(m, newest.signature);
        trace.add("ARC-Message-Signature i=" + n + " (d=" + ams.domain() + " s=" + ams.selector() + "): "
                + ams.status().keyword() + ", " + ams.explanation());
        if (!ams.passed()) {
            return fail(n, "the newest ARC-Message-Signature (i=" + n + ") does not verify: " + ams.explanation(),
                    sealers, trace);
        }
        for (int i = n; i >= 1; i--) {
            List<ArcSignatures.Field> covered = chain.fieldsUpTo(i);
            ArcSignatures.Field seal = covered.remove(covered.size() - 1);
            DkimResult as = signatures.verifySeal(covered, seal);
            trace.add("ARC-Seal i=" + i + " (d=" + as.domain() + " s=" + as.selector() + "): "
                    + as.status().keyword() + ", " + as.explanation());
            if (!as.passed()) {
                return fail(n, "the ARC-Seal i=" + i + " does not verify: " + as.explanation(), sealers, trace);
            }
        }
        int oldestPass = 1;
        for (int i = n - 1; i >= 1; i--) {
            DkimResult older = signatures.verifyMessageSignature(m, chain.set(i).signature);
            trace.add("ARC-Message-Signature i=" + i + ": " + older.status().keyword() + ", " + older.explanation());
            if (!older.passed()) {
                oldestPass = i + 1;
                break;
            }
        }
        return new ArcOutcome(ArcResult.PASS, n, oldestPass, "the chain of " + n + " ARC set(s) verifies"
                + (n > 1 ? " (sealed by " + String.join(", ", sealers) + ")" : " (sealed by " + sealers.get(0) + ")")
                + (oldestPass > 1 ? "; the message changed after the sealer i=" + (oldestPass - 1) : ""),
                sealers, trace);
    }

    private static ArcOutcome fail(int n, String reason, List<String> sealers, List<String> trace) {
        return new ArcOutcome(ArcResult.FAIL, n, 0, reason, sealers, trace);
    }
}
