package dev.mailflow.auth.dkim;

import java.util.List;

/**
 * The DKIM verdict on a whole message: one {@link DkimResult} per checked signature, in the
 * order of the header fields (the topmost, most recent, first), and how many more were there
 * beyond the policy's limit. RFC 6376 section 6.1: each signature stands alone; a message
 * passes for a domain when one of that domain's signatures passes.
 *
 * @param signatures the checked signatures; empty when the message is unsigned
 * @param notChecked signatures beyond {@link DkimPolicy#maxSignatures()}, left unchecked
 */
public record DkimVerification(List<DkimResult> signatures, int notChecked) {

    public DkimVerification {
        signatures = List.copyOf(signatures);
    }

    public boolean signed() {
        return !signatures.isEmpty();
    }

    /** Whether any signature passed. */
    public boolean anyPassed() {
        return signatures.stream().anyMatch(DkimResult::passed);
    }

    /**
     * Whether a signature of {@code domain} (d=, without regard to case or to U-label and
     * A-label form) passed: for DMARC alignment.
     */
    public boolean passedFor(String domain) {
        String wanted = ascii(domain);
        return signatures.stream().anyMatch(r -> r.passed() && r.domain() != null && ascii(r.domain()).equals(wanted));
    }

    private static String ascii(String domain) {
        try {
            return java.net.IDN.toASCII(domain, java.net.IDN.ALLOW_UNASSIGNED).toLowerCase(java.util.Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return domain.toLowerCase(java.util.Locale.ROOT);
        }
    }
}
