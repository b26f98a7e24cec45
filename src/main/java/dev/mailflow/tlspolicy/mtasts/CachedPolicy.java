package dev.mailflow.tlspolicy.mtasts;

import java.time.Instant;
import java.util.Objects;

/**
 * A policy as the cache holds it (RFC 8461 5.1): the id of the TXT record it was fetched
 * under, when it was fetched, and until when it may be used ({@code fetched + max_age}).
 *
 * @param domain  the policy domain, normalized
 * @param id      the {@code id} of the {@code _mta-sts} record the fetch went with
 */
public record CachedPolicy(String domain, String id, MtaStsPolicy policy, Instant fetched, Instant expires) {

    public CachedPolicy {
        Objects.requireNonNull(domain);
        Objects.requireNonNull(id);
        Objects.requireNonNull(policy);
        Objects.requireNonNull(fetched);
        Objects.requireNonNull(expires);
    }

    /** A policy fetched now, expiring after its max_age. */
    public static CachedPolicy fetchedAt(String domain, String id, MtaStsPolicy policy, Instant now) {
        return new CachedPolicy(domain, id, policy, now, now.plus(policy.maxAge()));
    }

    /** Whether it may still be used at {@code now}. */
    public boolean validAt(Instant now) {
        return now.isBefore(expires);
    }
}
