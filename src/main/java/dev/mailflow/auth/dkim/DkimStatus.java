package dev.mailflow.auth.dkim;

/**
 * The result of one DKIM signature as Authentication-Results reports it, RFC 8601 section
 * 2.7.1; {@link #keyword()} is the word after {@code dkim=}.
 */
public enum DkimStatus {
    /** The message was not signed. */
    NONE("none"),
    /** The signature verified. */
    PASS("pass"),
    /** The signature was acceptable but did not verify: the message changed after signing. */
    FAIL("fail"),
    /** The signature could not be processed: a syntax error, an unknown algorithm or version. */
    NEUTRAL("neutral"),
    /** A lookup failed for a while (DNS): trying later may give another answer. */
    TEMPERROR("temperror"),
    /** An error that will not go away: no key, a revoked or broken key, an expired signature. */
    PERMERROR("permerror"),
    /** The signature may be valid but our rules refuse it (RFC 8301 weak keys and hashes, l=). */
    POLICY("policy");

    private final String keyword;

    DkimStatus(String keyword) {
        this.keyword = keyword;
    }

    public String keyword() {
        return keyword;
    }
}
