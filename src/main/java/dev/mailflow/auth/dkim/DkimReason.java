package dev.mailflow.auth.dkim;

/**
 * Why a signature got its result: the one table of DKIM verdicts, each with its RFC 8601
 * status and the words a tester shows (RFC 6376 section 6.1 names most of these PERMFAIL or
 * TEMPFAIL cases; RFC 8301 and RFC 8463 add the rest). The texts take their details
 * ({@code %s}) from {@link #explain(Object...)}.
 *
 * <p>Where RFC 6376 and RFC 8601 leave a choice, the choice is made here: syntax errors and
 * unknown algorithms are {@code neutral} (RFC 8601: "contained syntax errors or were not
 * otherwise able to be processed"); key problems, expiry and a body shorter than l= are
 * {@code permerror}; rsa-sha1, RSA keys under 1024 bits and an l= that leaves part of the body
 * unsigned are {@code policy}: the signature may be genuine, but it does not protect the
 * message.
 */
public enum DkimReason {

    VERIFIED(DkimStatus.PASS, "signature verified"),
    NOT_SIGNED(DkimStatus.NONE, "the message has no DKIM-Signature header field"),

    BODY_HASH_MISMATCH(DkimStatus.FAIL,
            "body hash mismatch: the body was changed after signing (bh= does not match the body; %s)"),
    SIGNATURE_MISMATCH(DkimStatus.FAIL,
            "signature mismatch: a signed header field was changed, added or removed after signing "
                    + "(b= does not verify with the key; the body is unchanged)"),

    SYNTAX_ERROR(DkimStatus.NEUTRAL, "syntax error in tag %s: %s"),
    MISSING_TAG(DkimStatus.NEUTRAL, "the signature lacks the required tag %s="),
    UNSUPPORTED_VERSION(DkimStatus.NEUTRAL, "unsupported version v=%s (only v=1 exists)"),
    UNSUPPORTED_ALGORITHM(DkimStatus.NEUTRAL,
            "unsupported algorithm a=%s (rsa-sha256 and ed25519-sha256 are supported)"),
    UNSUPPORTED_CANONICALIZATION(DkimStatus.NEUTRAL,
            "unsupported canonicalization c=%s (simple and relaxed exist)"),
    UNSUPPORTED_QUERY_METHOD(DkimStatus.NEUTRAL, "unsupported key query method q=%s (only dns/txt exists)"),

    FROM_NOT_SIGNED(DkimStatus.PERMERROR, "the From header field is not in h=, which RFC 6376 requires"),
    IDENTITY_OUTSIDE_DOMAIN(DkimStatus.PERMERROR, "the identity i=%s is not in the signing domain d=%s"),
    EXPIRED(DkimStatus.PERMERROR, "signature expired at %s (x=)"),
    TIMESTAMP_IN_FUTURE(DkimStatus.PERMERROR, "signature timestamp t=%s lies in the future"),

    KEY_NOT_FOUND(DkimStatus.PERMERROR, "key not found: no DKIM key record at %s"),
    KEY_TEMPFAIL(DkimStatus.TEMPERROR, "the key at %s could not be looked up for now: %s"),
    /** Unknown errors are temporary (style.md, principle 6): never a permanent verdict from a bug. */
    CHECK_FAILED(DkimStatus.TEMPERROR, "the signature could not be checked because of an error in the verifier"),
    KEY_SYNTAX(DkimStatus.PERMERROR, "the key record at %s is broken: %s"),
    KEY_REVOKED(DkimStatus.PERMERROR, "key revoked: the key record at %s has an empty p="),
    KEY_TYPE_MISMATCH(DkimStatus.PERMERROR, "the key at %s is k=%s, but the signature uses a=%s"),
    KEY_HASH_NOT_ALLOWED(DkimStatus.PERMERROR, "the key record at %s allows only h=%s, not %s"),
    KEY_NOT_FOR_EMAIL(DkimStatus.PERMERROR, "the key record at %s is for service s=%s, not email"),
    KEY_STRICT_IDENTITY(DkimStatus.PERMERROR,
            "the key record at %s has t=s: i= must be in d=%s itself, not in a subdomain (i=%s)"),

    HISTORIC_ALGORITHM(DkimStatus.POLICY,
            "rsa-sha1 is refused: RFC 8301 section 3.1 made it historic (SHA-1 collisions are practical), "
                    + "so such signatures count as failed"),
    KEY_TOO_SHORT(DkimStatus.POLICY,
            "key too short: the RSA key at %s has %d bits; keys under 1024 bits can be factored and "
                    + "RFC 8301 section 3.2 forbids treating their signatures as valid"),
    BODY_SHORTER_THAN_LENGTH(DkimStatus.PERMERROR,
            "the body is shorter (%d octets canonical) than l=%d says: it was cut after signing"),
    UNSIGNED_BODY_TAIL(DkimStatus.POLICY,
            "the signature verifies, but l=%d covers only part of the body (%d octets canonical): anyone could "
                    + "have added the unsigned rest (RFC 6376 section 8.2)");

    private final DkimStatus status;
    private final String text;

    DkimReason(DkimStatus status, String text) {
        this.status = status;
        this.text = text;
    }

    public DkimStatus status() {
        return status;
    }

    /** The reason in words, with its details filled in. */
    public String explain(Object... details) {
        return details.length == 0 ? text : String.format(java.util.Locale.ROOT, text, details);
    }
}
