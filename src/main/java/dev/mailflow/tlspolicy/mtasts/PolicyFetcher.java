package dev.mailflow.tlspolicy.mtasts;

/**
 * Gets a domain's policy from {@code https://mta-sts.<domain>/.well-known/mta-sts.txt}
 * (RFC 8461 3.3). {@link HttpsPolicyFetcher} does it over the network; tests of the decision
 * ({@link MtaSts}) may give their own. Never throws for what the network or the server does.
 */
@FunctionalInterface
public interface PolicyFetcher {

    /** What a fetch gave. */
    sealed interface Result permits Fetched, Failed {
    }

    /** A valid policy, fetched now. */
    record Fetched(MtaStsPolicy policy) implements Result {
    }

    /**
     * No policy: {@code reason} says what went wrong in words, naming the URL or host
     * ("https://mta-sts.example.com/.well-known/mta-sts.txt answered 404 Not Found").
     */
    record Failed(String reason) implements Result {
    }

    /** Fetches and parses the policy of a domain (a normalized DNS name). */
    Result fetch(String domain);
}
