package dev.mailflow.tlspolicy.tlsrpt;

import java.util.Optional;

/**
 * The {@code policy-type} of an aggregate report (RFC 8460 4.3 and 4.4): which policy, if any,
 * the sending MTA applied to the session.
 */
public enum PolicyType {
    /** An MTA-STS policy (RFC 8461) was applied. */
    STS("sts"),
    /** DANE TLSA records (RFC 7672) were applied. */
    TLSA("tlsa"),
    /** Neither: the session was opportunistic (or a failure found no policy to apply). */
    NO_POLICY_FOUND("no-policy-found");

    private final String jsonName;

    PolicyType(String jsonName) {
        this.jsonName = jsonName;
    }

    /** The name in the JSON report: {@code sts}, {@code tlsa}, {@code no-policy-found}. */
    public String jsonName() {
        return jsonName;
    }

    /** The type with this JSON name, if any. */
    public static Optional<PolicyType> fromJsonName(String name) {
        for (var t : values()) {
            if (t.jsonName.equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
