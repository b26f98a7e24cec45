package dev.mailflow.queue;

/**
 * How a message went to the next hop, as the tracking log shows it for each SEND: the TLS
 * version and cipher (null over plaintext), the policy it went under, and what authenticated
 * the peer.
 *
 * @param protocol        "TLSv1.3", or null for plaintext
 * @param cipher          "TLS_AES_256_GCM_SHA384", or null
 * @param policy          "DANE", "MTA-STS enforce", "MTA-STS testing", "verify", "encrypt", "opportunistic", "none"
 * @param authenticatedBy "DANE-EE 3 1 1", "DANE-TA 2 0 1", "MTA-STS", "fingerprint sha256:...", "verify";
 *                        null when the peer was not authenticated
 */
public record TlsSummary(String protocol, String cipher, String policy, String authenticatedBy) {

    /** The outcomes {@link #outcome()} gives, and "refused" for a TLS policy not met (4.7.5). */
    public static final java.util.List<String> OUTCOMES = java.util.List.of("plaintext", "encrypted", "dane",
            "mta-sts", "verified", "refused");

    /**
     * The outcome in one word, as /metrics counts it: {@code plaintext}, {@code encrypted} (not
     * authenticated), {@code dane}, {@code mta-sts} or {@code verified} (verify, a pinned fingerprint).
     */
    public String outcome() {
        if (protocol == null) {
            return "plaintext";
        }
        if (authenticatedBy == null) {
            return "encrypted";
        }
        return policy.startsWith("DANE") ? "dane" : policy.startsWith("MTA-STS") ? "mta-sts" : "verified";
    }

    /** {@code TLSv1.3 TLS_AES_256_GCM_SHA384, DANE, authenticated by DANE-EE 3 1 1}: one line for logs. */
    public String brief() {
        String tls = protocol == null ? "no TLS" : protocol + " " + cipher;
        return tls + ", " + policy + (authenticatedBy == null ? ", not authenticated" : ", authenticated by "
                + authenticatedBy);
    }
}
