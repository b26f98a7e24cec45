package dev.mailflow.auth.dkim;

import java.util.List;

/**
 * Where the verifier gets keys: the TXT records at {@code selector._domainkey.domain}
 * (RFC 6376 section 3.6.2). Mailflow adapts its DNS resolver to this; tests give keys
 * directly. The answer is one of three, so that a DNS failure is never taken for a missing
 * key (temperror, not permerror).
 */
@FunctionalInterface
public interface DkimKeyLookup {

    /**
     * @param selector the s= value
     * @param domain   the d= value
     */
    Answer lookup(String selector, String domain);

    /** What DNS said. */
    sealed interface Answer permits Found, NotFound, TempFail {
    }

    /**
     * TXT records were found.
     *
     * @param records one entry per TXT record, its character-strings joined with nothing between
     *                (RFC 6376 3.6.2.2)
     */
    record Found(List<String> records) implements Answer {
        public Found {
            records = List.copyOf(records);
        }
    }

    /** NXDOMAIN, or the name has no TXT record. */
    record NotFound() implements Answer {
    }

    /**
     * The lookup failed for now (timeout, SERVFAIL).
     *
     * @param reason in words, e.g. "DNS timeout"
     */
    record TempFail(String reason) implements Answer {
    }
}
