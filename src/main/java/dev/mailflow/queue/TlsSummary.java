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

    /** {@code TLSv1.3 TLS_AES_256_GCM_SHA384, DANE, authenticated by DANE-EE 3 1 1}: one line for logs. */
    public String brief() {
        String tls = protocol == null ? "no TLS" : protocol + " " + cipher;
        return tls + ", " + policy + (authenticatedBy == null ? ", not authenticated" : ", authenticated by "
                + authenticatedBy);
    }
}
