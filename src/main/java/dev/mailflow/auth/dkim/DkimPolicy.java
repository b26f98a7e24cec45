package dev.mailflow.auth.dkim;

import java.time.Duration;

/**
 * The verifier's rules where RFC 6376 leaves the choice to the receiver.
 *
 * <ul>
 * <li>At most {@code maxSignatures} signatures are checked (6.1: verifiers may limit them, since
 *     each can cost a DNS lookup and an RSA operation); the rest are counted, not checked.</li>
 * <li>RSA keys under 1024 bits are refused (RFC 8301 section 3.2), and so is rsa-sha1 (3.1).</li>
 * <li>A signature whose t= lies more than {@code clockSkew} ahead of our clock is refused
 *     (RFC 6376 3.5 t=: verifiers may).</li>
 * <li>{@code acceptUnsignedBodyTail}: a signature whose l= covers only the start of the body
 *     gives {@code policy} by default, because whatever follows l= is unsigned and could be
 *     anyone's (RFC 6376 section 8.2); true gives {@code pass} (mailing lists that add a
 *     footer are the legitimate case).</li>
 * </ul>
 */
public final class DkimPolicy {

    private final int maxSignatures;
    private final int minRsaBits;
    private final Duration clockSkew;
    private final boolean acceptUnsignedBodyTail;
    private final boolean historic;

    private DkimPolicy(int maxSignatures, int minRsaBits, Duration clockSkew, boolean acceptUnsignedBodyTail,
            boolean historic) {
        if (maxSignatures < 1) {
            throw new IllegalArgumentException("maxSignatures must be at least 1");
        }
        this.maxSignatures = maxSignatures;
        this.minRsaBits = minRsaBits;
        this.clockSkew = clockSkew;
        this.acceptUnsignedBodyTail = acceptUnsignedBodyTail;
        this.historic = historic;
    }

    /** RFC 6376 with RFC 8301: 5 signatures, RSA of 1024 bits or more, 5 minutes of clock skew. */
    public static DkimPolicy standard() {
        return new DkimPolicy(5, 1024, Duration.ofMinutes(5), false, false);
    }

    public DkimPolicy withMaxSignatures(int n) {
        return new DkimPolicy(n, minRsaBits, clockSkew, acceptUnsignedBodyTail, historic);
    }

    public DkimPolicy withUnsignedBodyTailAccepted(boolean accept) {
        return new DkimPolicy(maxSignatures, minRsaBits, clockSkew, accept, historic);
    }

    /**
     * The rules of 2007, for the Mail::DKIM test corpus only, whose signatures use rsa-sha1,
     * 512- and 768-bit keys and pre-RFC drafts (no v=, v=0.5, q=dns): it lets that corpus
     * check our canonicalization and hashing. Never for mail: such signatures prove nothing
     * today (RFC 8301).
     */
    static DkimPolicy historicForCorpus() {
        return new DkimPolicy(10, 512, Duration.ofMinutes(5), false, true);
    }

    public int maxSignatures() {
        return maxSignatures;
    }

    int minRsaBits() {
        return minRsaBits;
    }

    Duration clockSkew() {
        return clockSkew;
    }

    boolean acceptUnsignedBodyTail() {
        return acceptUnsignedBodyTail;
    }

    /** rsa-sha1, a missing v= and q=dns of the drafts (corpus only). */
    boolean historic() {
        return historic;
    }
}
