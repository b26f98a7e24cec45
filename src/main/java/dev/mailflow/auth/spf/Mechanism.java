package dev.mailflow.auth.spf;

/**
 * The mechanisms of RFC 7208 section 5, as parsed from a record. A null domain means the
 * current domain ("a", "mx", "ptr" without ":domain").
 */
sealed interface Mechanism {

    /** Whether evaluating it counts against the limit of 10 DNS-querying terms (4.6.4). */
    default boolean queriesDns() {
        return true;
    }

    /** 5.1: always matches. */
    record All() implements Mechanism {
        @Override
        public boolean queriesDns() {
            return false;
        }
    }

    /** 5.2: matches when the other domain's check_host() passes. */
    record Include(MacroString domain) implements Mechanism {
    }

    /** 5.3: the domain's A (IPv4 client) or AAAA (IPv6 client) records, within a prefix. */
    record A(MacroString domain, int prefix4, int prefix6) implements Mechanism {
    }

    /** 5.4: the addresses of the domain's MX hosts, within a prefix. */
    record Mx(MacroString domain, int prefix4, int prefix6) implements Mechanism {
    }

    /** 5.5: the client's validated host name is the domain or below it (do not use: 5.5). */
    record Ptr(MacroString domain) implements Mechanism {
    }

    /** 5.6: an IPv4 network. */
    record Ip4(byte[] network, int prefix) implements Mechanism {
        @Override
        public boolean queriesDns() {
            return false;
        }
    }

    /** 5.6: an IPv6 network. */
    record Ip6(byte[] network, int prefix) implements Mechanism {
        @Override
        public boolean queriesDns() {
            return false;
        }
    }

    /** 5.7: the domain has an A record (whatever the client's address family). */
    record Exists(MacroString domain) implements Mechanism {
    }
}
