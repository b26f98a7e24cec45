package dev.mailflow.auth.spf;

import dev.mailflow.dns.DnsAnswer;
import dev.mailflow.dns.DnsNames;
import dev.mailflow.dns.DnsResolver;
import dev.mailflow.dns.TxtRecord;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * A domain's published SPF, looked at as its owner would want it reviewed, with no client
 * address in mind (the tester's records step): the record is fetched and parsed (RFC 7208 4.5:
 * exactly one {@code v=spf1} record; 4.6: a syntax error anywhere, shown with its position),
 * every include: and redirect= without macros is followed, and the whole tree is held to the
 * limits of 4.6.4 as a check_host() that walks all of it would meet them: at most 10 terms
 * that ask DNS, at most 2 of their lookups void, at most 10 MX hosts for an mx term. It warns
 * where a valid record still protects nothing ({@code +all}, {@code ?all}) or uses what the
 * RFC asks not to ({@code ptr}, 5.5).
 *
 * <p>Names with macros depend on the sender and cannot be followed here: they are counted
 * as one lookup and named in a note. A real check may stop early and meet fewer lookups; the
 * count here is the most one check can cause, which is what a receiver's limit cuts off.
 */
public final class SpfRecordCheck {

    /** How bad a finding is: ERROR makes receivers return permerror (or finds no record); WARNING weakens it. */
    public enum Level { ERROR, WARNING, NOTE }

    public record Finding(Level level, String text) {
    }

    /**
     * What the check found.
     *
     * @param record      the domain's SPF record, or null when it has none usable
     * @param findings    errors, warnings and notes, in the order found
     * @param dnsLookups  DNS-querying terms in the whole tree (RFC 7208 4.6.4 allows 10)
     * @param voidLookups of their lookups, those that found nothing (2 allowed)
     * @param tree        each record of the tree, indented by its depth: "include:_spf.x.test -> v=spf1 ..."
     */
    public record Report(String domain, String record, List<Finding> findings, int dnsLookups, int voidLookups,
            List<String> tree) {

        public Report {
            findings = List.copyOf(findings);
            tree = List.copyOf(tree);
        }

        public boolean hasErrors() {
            return findings.stream().anyMatch(f -> f.level() == Level.ERROR);
        }

        public boolean hasWarnings() {
            return findings.stream().anyMatch(f -> f.level() == Level.WARNING);
        }
    }

    /** RFC 7208 4.6.4. */
    public static final int MAX_DNS_TERMS = 10;
    public static final int MAX_VOID_LOOKUPS = 2;
    private static final int MAX_MX_HOSTS = 10;
    /** The walk stops here even if the records go on (a loop is caught before; this bounds a deep tree). */
    private static final int MAX_RECORDS = 40;

    private final DnsResolver dns;

    public SpfRecordCheck(DnsResolver dns) {
        this.dns = Objects.requireNonNull(dns);
    }

    public Report check(String domain) {
        var walk = new Walk();
        String d = Evaluation.withoutFinalDot(domain).toLowerCase(Locale.ROOT);
        String top = walk.record(d, "", 0, true);
        walk.limits();
        return new Report(d, top, walk.findings, walk.lookups, walk.voids, walk.tree);
    }

    /** One walk of the tree, with its counts. */
    private final class Walk {
        final List<Finding> findings = new ArrayList<>();
        final List<String> tree = new ArrayList<>();
        final Set<String> visiting = new HashSet<>();
        int lookups;
        int voids;
        int records;

        void add(Level level, String text) {
            findings.add(new Finding(level, text));
        }

        /**
         * Fetches, parses and walks the record of {@code domain}; gives its text, or null.
         *
         * @param via how the walk got here ("" for the domain itself, "include:x", "redirect=x")
         */
        String record(String domain, String via, int depth, boolean top) {
            if (++records > MAX_RECORDS) {
                if (records == MAX_RECORDS + 1) {
                    add(Level.ERROR, "more than " + MAX_RECORDS + " records in the tree: far beyond the limit of "
                            + MAX_DNS_TERMS + " lookups; the walk stops here");
                }
                return null;
            }
            String where = via.isEmpty() ? domain : via;
            String indent = "  ".repeat(depth) + (via.isEmpty() ? domain : via) + " -> ";
            if (!DnsNames.isValid(domain)) {
                tree.add(indent + "(not a valid domain name)");
                add(top ? Level.WARNING : Level.ERROR, MacroString.printable(domain) + " is not a name DNS can hold"
                        + (top ? ": SPF has no domain to check (none)" : ": " + where + " gives permerror"));
                return null;
            }
            var answer = dns.txt(domain);
            List<String> spf = new ArrayList<>();
            switch (answer) {
                case DnsAnswer.TempFail<TxtRecord> t -> {
                    tree.add(indent + "(no answer: " + t.reason() + ")");
                    add(Level.ERROR, "the TXT records of " + domain + " could not be fetched: " + t.reason()
                            + " (receivers get temperror while this lasts)");
                    return null;
                }
                case DnsAnswer.NotFound<TxtRecord> n -> {
                    if (!top) {
                        voids++;
                    }
                }
                case DnsAnswer.Found<TxtRecord> f -> f.records().stream().map(TxtRecord::text)
                        .filter(SpfRecord::isSpf1).forEach(spf::add);
            }
            if (spf.isEmpty()) {
                tree.add(indent + "(no SPF record)");
                if (top) {
                    add(Level.ERROR, domain + " publishes no SPF record (no TXT record starting with v=spf1): "
                            + "receivers get none and cannot tell forged mail from real (RFC 7208 4.5)");
                } else {
                    add(Level.ERROR, where + ": " + domain + " has no SPF record, so every check that reaches it "
                            + "is a permerror (RFC 7208 " + (via.startsWith("include") ? "5.2" : "6.1") + ")");
                }
                return null;
            }
            if (spf.size() > 1) {
                tree.add(indent + "(" + spf.size() + " SPF records)");
                add(Level.ERROR, domain + " publishes " + spf.size() + " SPF records; there must be exactly one, "
                        + "receivers return permerror (RFC 7208 4.5); merge them into one: "
                        + String.join(" | ", spf.stream().map(MacroString::printable).toList()));
                return null;
            }
            String text = spf.get(0);
            tree.add(indent + MacroString.printable(text));
            SpfRecord parsed;
            try {
                parsed = SpfRecord.parse(text);
            } catch (SpfSyntaxException e) {
                add(Level.ERROR, "syntax error in the SPF record of " + domain + (e.position > 0 ? " at position "
                        + e.position : "") + ": " + e.getMessage() + "; receivers return permerror (RFC 7208 4.6)");
                return text;
            }
            visiting.add(domain);
            terms(domain, parsed, depth, top);
            visiting.remove(domain);
            return text;
        }

        private void terms(String domain, SpfRecord r, int depth, boolean top) {
            boolean hasAll = false;
            for (var d : r.directives()) {
                String term = MacroString.printable(d.term());
                if (d.mechanism().queriesDns()) {
                    lookups++;
                }
                switch (d.mechanism()) {
                    case Mechanism.All all -> {
                        hasAll = true;
                        if (d.qualifier() == Qualifier.PASS) {
                            add(Level.WARNING, term + " in the record of " + domain + " lets every address on the "
                                    + "internet pass: the record authorizes anyone (use -all or ~all)");
                        } else if (d.qualifier() == Qualifier.NEUTRAL) {
                            add(Level.WARNING, term + " in the record of " + domain + " gives neutral to every "
                                    + "address it does not list: receivers treat that like no SPF at all (use -all or "
                                    + "~all once every sender is listed)");
                        }
                    }
                    case Mechanism.Include inc -> follow(domain, inc.domain(), "include:", depth);
                    case Mechanism.A a -> target(domain, a.domain(), term, "A");
                    case Mechanism.Mx mx -> target(domain, mx.domain(), term, "MX");
                    case Mechanism.Exists ex -> target(domain, ex.domain(), term, "A");
                    case Mechanism.Ptr ptr -> add(Level.WARNING, term + " in the record of " + domain + ": ptr is "
                            + "slow, unreliable and deprecated (RFC 7208 5.5: do not use it); list the addresses "
                            + "with ip4:, ip6:, a or mx instead");
                    case Mechanism.Ip4 ip4 -> {
                    }
                    case Mechanism.Ip6 ip6 -> {
                    }
                }
            }
            if (r.redirect() != null) {
                if (hasAll) {
                    add(Level.NOTE, "the record of " + domain + " has both all and redirect=: redirect= is never "
                            + "used (RFC 7208 6.1)");
                } else {
                    lookups++;
                    follow(domain, r.redirect(), "redirect=", depth);
                }
            } else if (!hasAll && top) {
                add(Level.NOTE, "the record of " + domain + " ends without all: addresses it does not list get "
                        + "neutral (RFC 7208 4.7); end it with -all or ~all");
            }
        }

        private void follow(String from, MacroString target, String how, int depth) {
            if (target.hasMacros()) {
                add(Level.NOTE, how + target + " in the record of " + from + " has macros: its record depends on "
                        + "the sender and is not followed here");
                return;
            }
            String name = Evaluation.withoutFinalDot(target.literal()).toLowerCase(Locale.ROOT);
            if (visiting.contains(name)) {
                add(Level.ERROR, how + name + " in the record of " + from + " leads back to a record already being "
                        + "evaluated: a loop, which receivers end with permerror at the lookup limit");
                return;
            }
            record(name, how + name, depth + 1, false);
        }

        /** The lookup an a, mx or exists term makes: void when it finds nothing. */
        private void target(String current, MacroString spec, String term, String type) {
            if (spec != null && spec.hasMacros()) {
                return;
            }
            String name = spec == null ? current : Evaluation.withoutFinalDot(spec.literal()).toLowerCase(Locale.ROOT);
            if (!DnsNames.isValid(name)) {
                return;
            }
            if (type.equals("MX")) {
                var mx = dns.mx(name);
                if (mx instanceof DnsAnswer.NotFound<?>) {
                    voids++;
                    add(Level.WARNING, term + " in the record of " + current + ": " + name + " has no MX records "
                            + "(a void lookup; it matches nothing)");
                } else if (mx.records().size() > MAX_MX_HOSTS) {
                    add(Level.ERROR, term + " in the record of " + current + ": " + name + " has "
                            + mx.records().size() + " MX records, more than the " + MAX_MX_HOSTS
                            + " RFC 7208 4.6.4 allows: permerror");
                }
                return;
            }
            var a = dns.a(name);
            if (a instanceof DnsAnswer.NotFound<?> && dns.aaaa(name) instanceof DnsAnswer.NotFound<?>) {
                voids++;
                if (!term.toLowerCase(Locale.ROOT).contains("exists")) {
                    add(Level.WARNING, term + " in the record of " + current + ": " + name + " has no A or AAAA "
                            + "records (a void lookup; it matches nothing)");
                }
            }
        }

        void limits() {
            if (lookups > MAX_DNS_TERMS) {
                add(Level.ERROR, lookups + " terms that ask DNS (include, a, mx, ptr, exists, redirect) in the whole "
                        + "tree, more than the " + MAX_DNS_TERMS + " RFC 7208 4.6.4 allows: receivers that reach the "
                        + "eleventh return permerror; flatten includes into ip4:/ip6: ranges");
            }
            if (voids > MAX_VOID_LOOKUPS) {
                add(Level.ERROR, voids + " lookups that find nothing, more than the " + MAX_VOID_LOOKUPS
                        + " RFC 7208 4.6.4 allows: receivers return permerror; remove the terms naming names "
                        + "that do not exist");
            }
        }
    }
}
