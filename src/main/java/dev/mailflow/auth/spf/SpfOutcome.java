package dev.mailflow.auth.spf;

import java.util.List;
import java.util.Optional;

/**
 * What an SPF check found, with the reason in words so that the tester and the logs can
 * explain it.
 *
 * @param result      the RFC 7208 result
 * @param domain      the domain checked (the MAIL FROM domain, or the HELO name)
 * @param reason      one sentence: which mechanism matched in which domain's record, or which
 *                    lookup failed, or what is wrong with the record
 * @param explanation the domain's own explanation (the exp= modifier, RFC 7208 6.2), only for
 *                    a fail, when it could be fetched and expanded
 * @param record      the SPF record that decided (after any redirect), or "" when none did
 * @param mechanism   the term that matched, e.g. "-all" or "ip4:192.0.2.0/24"; "" when none did
 * @param trace       the steps taken, one line each (records fetched, terms evaluated)
 * @param dnsLookups  terms that caused DNS lookups (the limit is 10, RFC 7208 4.6.4)
 * @param voidLookups of those, lookups that found nothing (the limit is 2)
 */
public record SpfOutcome(SpfResult result, String domain, String reason, Optional<String> explanation,
        String record, String mechanism, List<String> trace, int dnsLookups, int voidLookups) {

    public SpfOutcome {
        trace = List.copyOf(trace);
    }
}
