package dev.mailflow.dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-memory zone that answers like a DNS server would: for unit tests of everything that
 * uses DNS (SPF, DKIM, DMARC, MX, the tester), and for a tester that evaluates records before
 * they are published. It lives in the main code because it is small, needs nothing from a test
 * framework, and serves those uses alike.
 *
 * <ul>
 * <li>A name with records of the type: {@link DnsAnswer.Found}.
 * <li>A name that exists (it has records of other types, or names below it: an empty
 *     non-terminal, RFC 8020) but none of the type: {@link DnsAnswer.NotFound.Kind#NO_DATA}.
 * <li>Any other name: {@link DnsAnswer.NotFound.Kind#NO_SUCH_NAME}.
 * <li>A CNAME is followed for every other type; a loop is a SERVFAIL, as resolvers give. A
 *     question for {@link RecordType#CNAME} itself gets the alias's target.
 * <li>{@link Builder#timeout(String)}: the types the name has answer, every other one times
 *     out (a server that hangs on what it does not know); {@link Builder#servfail(String)}:
 *     every question about the name gets SERVFAIL.
 * </ul>
 *
 * Every question is recorded ({@link #queries()}), so tests can check what was asked.
 */
public final class Zone implements DnsResolver {

    private static final int MAX_CNAME_HOPS = 8;

    private static final class Node {
        final Map<Integer, List<Object>> records = new LinkedHashMap<>();
        long ttl = Long.MAX_VALUE;
        String cname;
        boolean timeout;
        boolean servfail;
        boolean signed;
    }

    private final Map<String, Node> nodes;
    private final Duration negativeTtl;
    private final List<String> queries = new CopyOnWriteArrayList<>();

    private Zone(Map<String, Node> nodes, Duration negativeTtl) {
        this.nodes = nodes;
        this.negativeTtl = negativeTtl;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Each question asked so far, as "name TYPE", in order. */
    public List<String> queries() {
        return List.copyOf(queries);
    }

    public void clearQueries() {
        queries.clear();
    }

    @Override
    public <T> DnsAnswer<T> lookup(String name, RecordType<T> type) {
        queries.add(name + " " + type.name());
        var normalized = DnsNames.normalize(name);
        if (normalized.isEmpty()) {
            return DnsAnswer.NotFound.of(DnsAnswer.NotFound.Kind.NO_SUCH_NAME);
        }
        String current = normalized.get();
        long ttl = Long.MAX_VALUE;
        var seen = new ArrayList<String>();
        boolean chainSigned = true; // every alias on the way was signed (RFC 7672 2.2.2)
        while (true) {
            Node node = nodes.get(current);
            if (node != null && node.servfail) {
                return new DnsAnswer.TempFail<>(DnsAnswer.TempFail.Cause.SERVFAIL,
                        "the zone answered SERVFAIL to the " + type.name() + " query for " + current);
            }
            if (node != null && node.cname != null && type.code() == RecordType.CNAME.code()) {
                String target = DnsNames.normalize(node.cname).orElse(node.cname);
                return new DnsAnswer.Found<>(List.of(type.javaType().cast(target)),
                        Duration.ofSeconds(Math.min(ttl, node.ttl)), chainSigned && node.signed);
            }
            if (node != null && node.cname != null) {
                if (seen.contains(current) || seen.size() >= MAX_CNAME_HOPS) {
                    return new DnsAnswer.TempFail<>(DnsAnswer.TempFail.Cause.SERVFAIL,
                            "the zone answered SERVFAIL to the " + type.name() + " query for " + normalized.get()
                                    + " (its CNAME chain loops at " + current + ")");
                }
                seen.add(current);
                ttl = Math.min(ttl, node.ttl);
                chainSigned &= node.signed;
                current = DnsNames.normalize(node.cname).orElse(node.cname);
                continue;
            }
            List<Object> values = node == null ? List.of() : node.records.getOrDefault(type.code(), List.of());
            if (!values.isEmpty()) {
                var out = values.stream().map(type.javaType()::cast).toList();
                return new DnsAnswer.Found<>(out, Duration.ofSeconds(Math.min(ttl, node.ttl)),
                        chainSigned && node.signed);
            }
            if (node != null && node.timeout) {
                return new DnsAnswer.TempFail<>(DnsAnswer.TempFail.Cause.TIMEOUT,
                        "the zone did not answer the " + type.name() + " query for " + current + " (timeout)");
            }
            boolean signed = chainSigned && node != null && node.signed;
            if (node != null || hasNamesBelow(current)) {
                return new DnsAnswer.NotFound<>(DnsAnswer.NotFound.Kind.NO_DATA, negativeTtl, signed);
            }
            return new DnsAnswer.NotFound<>(DnsAnswer.NotFound.Kind.NO_SUCH_NAME, negativeTtl, false);
        }
    }

    private boolean hasNamesBelow(String name) {
        String suffix = "." + name;
        return nodes.keySet().stream().anyMatch(n -> n.endsWith(suffix));
    }

    /** Builds a zone; names are taken as {@link DnsNames} takes them (case and final dot do not matter). */
    public static final class Builder {
        private final Map<String, Node> nodes = new HashMap<>();
        private Duration ttl = Duration.ofSeconds(300);
        private Duration negativeTtl = Duration.ofSeconds(60);

        private Builder() {
        }

        /** The TTL of the records added after this (300 s until set). */
        public Builder ttl(Duration ttl) {
            this.ttl = ttl;
            return this;
        }

        /** The TTL of every negative answer, as a SOA would give it (60 s until set). */
        public Builder negativeTtl(Duration ttl) {
            this.negativeTtl = ttl;
            return this;
        }

        public <T> Builder record(String name, RecordType<T> type, T value) {
            Node node = node(name);
            node.records.computeIfAbsent(type.code(), k -> new ArrayList<>()).add(value);
            node.ttl = Math.min(node.ttl, ttl.toSeconds());
            return this;
        }

        public Builder a(String name, String... addresses) {
            for (String a : addresses) {
                record(name, RecordType.A, literal(a));
            }
            return this;
        }

        public Builder aaaa(String name, String... addresses) {
            for (String a : addresses) {
                record(name, RecordType.AAAA, literal(a));
            }
            return this;
        }

        /** An MX record; {@code host} "" or "." is the root (a null MX, RFC 7505). */
        public Builder mx(String name, int preference, String host) {
            String h = host.equals(".") ? "" : host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
            return record(name, RecordType.MX, new MxRecord(preference, h));
        }

        /** One TXT record of these strings (none is allowed: an empty record). */
        public Builder txt(String name, String... strings) {
            return record(name, RecordType.TXT, new TxtRecord(List.of(strings)));
        }

        /**
         * A PTR record. {@code nameOrAddress} is the record's owner, or an IP address whose
         * in-addr.arpa or ip6.arpa name is meant.
         */
        public Builder ptr(String nameOrAddress, String host) {
            String owner = isLiteral(nameOrAddress) ? DnsNames.reverseName(literal(nameOrAddress)) : nameOrAddress;
            String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
            return record(owner, RecordType.PTR, h);
        }

        public Builder tlsa(String name, int usage, int selector, int matchingType, String hexData) {
            return record(name, RecordType.TLSA, new TlsaRecord(usage, selector, matchingType,
                    HexFormat.of().parseHex(hexData)));
        }

        public Builder caa(String name, int flags, String tag, String value) {
            return record(name, RecordType.CAA, new CaaRecord(flags, tag, value));
        }

        public Builder cname(String alias, String target) {
            Node node = node(alias);
            node.cname = target;
            node.ttl = Math.min(node.ttl, ttl.toSeconds());
            return this;
        }

        /** Questions about the name for types it has no records of time out. */
        public Builder timeout(String name) {
            node(name).timeout = true;
            return this;
        }

        /** Every question about the name gets SERVFAIL. */
        public Builder servfail(String name) {
            node(name).servfail = true;
            return this;
        }

        /** Answers about the name are authenticated (as from a DNSSEC-validating resolver). */
        public Builder signed(String name) {
            node(name).signed = true;
            return this;
        }

        /** Makes the name exist with no records (questions about it get NO_DATA). */
        public Builder exists(String name) {
            node(name);
            return this;
        }

        public Zone build() {
            var copy = new HashMap<String, Node>(nodes);
            return new Zone(copy, negativeTtl);
        }

        private Node node(String name) {
            String key = DnsNames.normalize(name).orElseThrow(
                    () -> new IllegalArgumentException("not a valid domain name: " + name));
            return nodes.computeIfAbsent(key, k -> new Node());
        }

        private static boolean isLiteral(String s) {
            return !s.isEmpty() && s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')
                    && (s.contains(":") || s.chars().filter(c -> c == '.').count() == 3
                            && s.chars().allMatch(c -> Character.isDigit(c) || c == '.'));
        }

        /** An address from its literal form; never a lookup. */
        private static InetAddress literal(String s) {
            if (!isLiteral(s)) {
                throw new IllegalArgumentException("not an IP address: " + s);
            }
            try {
                return InetAddress.getByName(s);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("not an IP address: " + s);
            }
        }
    }
}
