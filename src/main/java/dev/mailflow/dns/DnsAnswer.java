package dev.mailflow.dns;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What one lookup gave: records, a definite "there is nothing", or no answer at all. Callers
 * switch on the three cases; none of them is an exception.
 *
 * @param <T> the record type's Java type ({@link RecordType#javaType()})
 */
public sealed interface DnsAnswer<T> permits DnsAnswer.Found, DnsAnswer.NotFound, DnsAnswer.TempFail {

    /** The records of an answer; empty unless it is {@link Found}. */
    default List<T> records() {
        return List.of();
    }

    /**
     * Records of the asked type (after any CNAME chain).
     *
     * @param ttl           how long the answer may be kept: the smallest TTL of the records and
     *                      of the CNAMEs that led to them; from a cache, what is left of it
     * @param authenticated the answer was DNSSEC-validated: the AD bit of a resolver on
     *                      loopback, or our own validation with a trust anchor (see {@link
     *                      DnsjavaResolver}); through a CNAME chain, only when every answer of
     *                      it was; false otherwise
     */
    record Found<T>(List<T> records, Duration ttl, boolean authenticated) implements DnsAnswer<T> {
        public Found {
            records = List.copyOf(records);
            if (records.isEmpty()) {
                throw new IllegalArgumentException("a Found answer has at least one record");
            }
            Objects.requireNonNull(ttl);
        }
    }

    /**
     * A definite negative answer (RFC 2308). Both kinds are "void lookups" for SPF (RFC 7208
     * 4.6.4); some callers tell them apart (DMARC's tree walk, the tester's explanations).
     *
     * @param ttl           how long the negative answer may be kept (RFC 2308 5: the SOA's
     *                      TTL and minimum, the smaller); zero when the server sent no SOA
     * @param authenticated DNSSEC proved the denial (matters to DANE, RFC 7672 2.2)
     */
    record NotFound<T>(Kind kind, Duration ttl, boolean authenticated) implements DnsAnswer<T> {

        public enum Kind {
            /** NXDOMAIN (RCODE 3): the name does not exist. */
            NO_SUCH_NAME,
            /** The name exists but has no record of the asked type (NOERROR, no answer). */
            NO_DATA
        }

        public NotFound {
            Objects.requireNonNull(kind);
            Objects.requireNonNull(ttl);
        }

        /** A negative answer that is not to be cached and proves nothing. */
        public static <T> NotFound<T> of(Kind kind) {
            return new NotFound<>(kind, Duration.ZERO, false);
        }

        /** "does not exist (NXDOMAIN)" or "has no such record", for explanations. */
        public String describe() {
            return kind == Kind.NO_SUCH_NAME ? "does not exist (NXDOMAIN)" : "exists but has no record of that type";
        }
    }

    /**
     * No usable answer now; asking again later may give one.
     *
     * @param reason in words, naming the server asked and what went wrong, e.g. "127.0.0.1:5353
     *               did not answer the TXT query for example.com within 2 s (2 tries)"
     */
    record TempFail<T>(Cause cause, String reason) implements DnsAnswer<T> {

        public enum Cause {
            /** No answer within the timeout, after every try. */
            TIMEOUT,
            /** RCODE 2: the server could not answer (often a broken delegation or DNSSEC). */
            SERVFAIL,
            /** RCODE 5, or nothing listening on the server's port. */
            REFUSED,
            /** Any other failure: another RCODE, a malformed reply, a CNAME loop. */
            OTHER
        }

        public TempFail {
            Objects.requireNonNull(cause);
            Objects.requireNonNull(reason);
        }
    }
}
