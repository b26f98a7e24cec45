package dev.mailflow.auth.spf;

import dev.mailflow.dns.DnsAnswer;
import dev.mailflow.dns.DnsNames;
import dev.mailflow.dns.DnsResolver;
import dev.mailflow.dns.MxRecord;
import dev.mailflow.dns.TxtRecord;
import java.net.InetAddress;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * One check_host() evaluation (RFC 7208 4), with everything it shares across include and
 * redirect: the DNS, the counters of the processing limits (4.6.4: at most 10 terms that query
 * DNS, at most 2 of them void, at most 10 MX hosts, 10 PTR names), the time limit, the
 * validated client names (5.5, %{p}) and the trace of what was done.
 *
 * <p>Order: initial checks of the domain (4.3), record lookup and selection (4.4, 4.5), parse
 * of the whole record (4.6), mechanisms left to right (4.6.2, 5), then redirect= (6.1), then
 * the default, neutral (4.7). The explanation (6.2) is fetched once, after the result is known,
 * by {@link Spf}.
 */
final class Evaluation {

    static final int MAX_DNS_TERMS = 10;
    static final int MAX_VOID_LOOKUPS = 2;
    static final int MAX_MX_HOSTS = 10;
    static final int MAX_PTR_NAMES = 10;
    private static final int MAX_TRACE = 200;

    /** How a check_host() level ended, before explanations. */
    record Decision(SpfResult result, String domain, SpfRecord record, SpfRecord.Directive matched, String reason) {
    }

    private final DnsResolver dns;
    private final InetAddress ip;
    private final MacroValues base;
    private final InstantSource clock;
    private final Instant deadline;
    private final List<String> trace = new ArrayList<>();
    private int dnsTerms;
    private int voidLookups;
    private List<String> validatedNames;

    Evaluation(DnsResolver dns, InetAddress ip, String sender, String localPart, String senderDomain, String helo,
            String receiver, InstantSource clock, java.time.Duration timeLimit) {
        this.dns = dns;
        this.ip = ip;
        this.clock = clock;
        this.deadline = clock.instant().plus(timeLimit);
        this.base = new MacroValues(ip, sender, localPart, senderDomain, senderDomain, helo, receiver,
                clock.instant().getEpochSecond(), this::validatedName);
    }

    List<String> trace() {
        return trace;
    }

    int dnsTerms() {
        return dnsTerms;
    }

    int voidLookups() {
        return voidLookups;
    }

    MacroValues values(String domain) {
        return base.withDomain(domain);
    }

    /** check_host() for a domain; the sender and client stay those of the whole check. */
    Decision checkHost(String domain) throws SpfError {
        String d = withoutFinalDot(domain);
        if (!isCheckable(d)) {
            return new Decision(SpfResult.NONE, d, null, null, "\"" + MacroString.printable(d)
                    + "\" is not a domain name that SPF can check (RFC 7208 4.3)");
        }
        var fetched = fetchRecord(d);
        if (fetched.text() == null) {
            return new Decision(SpfResult.NONE, d, null, null, fetched.noRecordReason());
        }
        SpfRecord record;
        try {
            record = SpfRecord.parseCached(fetched.text());
        } catch (SpfSyntaxException e) {
            throw SpfError.perm("the SPF record of " + d + " has an error: " + e.getMessage());
        }
        for (var directive : record.directives()) {
            if (matches(directive, d)) {
                var result = directive.qualifier().result;
                step(directive.term() + " matched: " + result);
                return new Decision(result, d, record, directive, matchReason(directive, d));
            }
        }
        if (record.redirect() != null) {
            countDnsTerm("redirect=" + record.redirect(), d);
            String target = expandDomain(record.redirect(), d);
            step("redirect=" + target);
            if (!isCheckable(target)) {
                throw SpfError.perm("redirect=" + record.redirect() + " in the SPF record of " + d
                        + " names \"" + MacroString.printable(target) + "\", which is not a domain SPF can check");
            }
            Decision inner;
            try {
                inner = checkHost(target);
            } catch (SpfError e) {
                throw e.within(d + " redirects to " + target);
            }
            if (inner.result() == SpfResult.NONE) {
                throw SpfError.perm("the SPF record of " + d + " redirects to " + target + ", which has no SPF record ("
                        + inner.reason() + ")");
            }
            return new Decision(inner.result(), inner.domain(), inner.record(), inner.matched(),
                    d + " redirects to " + target + ": " + inner.reason());
        }
        step("no mechanism matched and there is no redirect=: neutral");
        return new Decision(SpfResult.NEUTRAL, d, record, null, "nothing in the SPF record of " + d + " matched "
                + Addresses.readable(ip) + " and it has no redirect=, so the result is neutral (RFC 7208 4.7)");
    }

    /** The domain's SPF record text, or null and why there is none. */
    private record Fetched(String text, String noRecordReason) {
    }

    /** The one v=spf1 TXT record of a domain (4.4, 4.5). */
    private Fetched fetchRecord(String d) throws SpfError {
        checkTime();
        var answer = dns.txt(d);
        switch (answer) {
            case DnsAnswer.TempFail<TxtRecord> t -> throw SpfError.temp("the TXT lookup for " + d + " failed: " + t.reason());
            case DnsAnswer.NotFound<TxtRecord> n -> {
                step("TXT " + d + ": " + (n.kind() == DnsAnswer.NotFound.Kind.NO_SUCH_NAME ? "NXDOMAIN" : "no TXT records"));
                return new Fetched(null, n.kind() == DnsAnswer.NotFound.Kind.NO_SUCH_NAME
                        ? d + " does not exist (NXDOMAIN), so it has no SPF record"
                        : d + " has no TXT records, so no SPF record");
            }
            case DnsAnswer.Found<TxtRecord> f -> {
                var spf = new ArrayList<String>(1);
                for (TxtRecord r : f.records()) {
                    String text = r.text();
                    if (SpfRecord.isSpf1(text)) {
                        spf.add(text);
                    }
                }
                if (spf.isEmpty()) {
                    step("TXT " + d + ": no record starts with v=spf1");
                    return new Fetched(null, d + " has TXT records but none starting with \"v=spf1\", so no SPF record");
                }
                if (spf.size() > 1) {
                    throw SpfError.perm(d + " has " + spf.size() + " SPF records (TXT records starting with v=spf1); "
                            + "RFC 7208 4.5 allows exactly one: " + spf.stream().map(s -> "\"" + MacroString.printable(s)
                                    + "\"").collect(Collectors.joining(", ")));
                }
                String text = spf.get(0);
                step("TXT " + d + ": \"" + MacroString.printable(text) + "\"");
                if (!isAscii(text)) {
                    throw SpfError.perm("the SPF record of " + d + " contains non-ASCII characters (RFC 7208 3.1): \""
                            + MacroString.printable(text) + "\"");
                }
                return new Fetched(text, null);
            }
        }
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private boolean matches(SpfRecord.Directive directive, String d) throws SpfError {
        var mech = directive.mechanism();
        if (mech.queriesDns()) {
            countDnsTerm(directive.term(), d);
        }
        return switch (mech) {
            case Mechanism.All a -> true;
            case Mechanism.Ip4 n -> Addresses.isIp4(ip) && Addresses.inNetwork(ip, n.network(), n.prefix());
            case Mechanism.Ip6 n -> !Addresses.isIp4(ip) && Addresses.inNetwork(ip, n.network(), n.prefix());
            case Mechanism.Include inc -> include(directive, expandDomain(inc.domain(), d), d);
            case Mechanism.A a -> {
                String target = a.domain() == null ? d : expandDomain(a.domain(), d);
                yield anyInNetwork(directive, target, addresses(directive, target, d, true), a.prefix4(), a.prefix6());
            }
            case Mechanism.Mx mx -> {
                String target = mx.domain() == null ? d : expandDomain(mx.domain(), d);
                yield anyInNetwork(directive, target, mxAddresses(directive, target, d), mx.prefix4(), mx.prefix6());
            }
            case Mechanism.Ptr p -> {
                String target = p.domain() == null ? d : expandDomain(p.domain(), d);
                yield ptrMatches(directive, target, d);
            }
            case Mechanism.Exists e -> exists(directive, expandDomain(e.domain(), d), d);
        };
    }

    /** 5.2: a pass matches; fail, softfail, neutral do not; errors end the check; none is a permerror. */
    private boolean include(SpfRecord.Directive directive, String target, String d) throws SpfError {
        step(directive.term() + ": checking " + target);
        Decision inner;
        try {
            inner = checkHost(target);
        } catch (SpfError e) {
            throw e.within(directive.term() + " in the SPF record of " + d);
        }
        if (inner.result() == SpfResult.NONE) {
            throw SpfError.perm(directive.term() + " in the SPF record of " + d + " includes " + target
                    + ", which has no SPF record (" + inner.reason() + ")");
        }
        step(directive.term() + ": " + target + " gave " + inner.result()
                + (inner.result() == SpfResult.PASS ? " (match)" : " (no match)"));
        return inner.result() == SpfResult.PASS;
    }

    private boolean exists(SpfRecord.Directive directive, String target, String d) throws SpfError {
        if (!DnsNames.isValid(target)) {
            step(directive.term() + ": \"" + MacroString.printable(target) + "\" cannot exist in DNS (no match)");
            return false;
        }
        checkTime();
        switch (dns.a(target)) {
            case DnsAnswer.Found<InetAddress> f -> {
                step(directive.term() + ": " + target + " has an A record (match)");
                return true;
            }
            case DnsAnswer.NotFound<InetAddress> n -> {
                step(directive.term() + ": " + target + " has no A record (no match)");
                countVoid(directive.term(), d);
                return false;
            }
            case DnsAnswer.TempFail<InetAddress> t -> throw SpfError.temp("the A lookup for " + target + " ("
                    + directive.term() + " in the SPF record of " + d + ") failed: " + t.reason());
        }
    }

    /** The A or AAAA records of a name, as the client's family asks; void counted when {@code term}. */
    private List<InetAddress> addresses(SpfRecord.Directive directive, String target, String d, boolean term)
            throws SpfError {
        if (target.isEmpty() || !DnsNames.isValid(target)) {
            if (term) {
                step(directive.term() + ": \"" + MacroString.printable(target) + "\" cannot exist in DNS (no match)");
            }
            return List.of();
        }
        checkTime();
        boolean v4 = Addresses.isIp4(ip);
        var answer = v4 ? dns.a(target) : dns.aaaa(target);
        String type = v4 ? "A" : "AAAA";
        return switch (answer) {
            case DnsAnswer.Found<InetAddress> f -> f.records();
            case DnsAnswer.NotFound<InetAddress> n -> {
                if (term) {
                    step(directive.term() + ": " + target + " has no " + type + " record");
                    countVoid(directive.term(), d);
                }
                yield List.of();
            }
            case DnsAnswer.TempFail<InetAddress> t -> throw SpfError.temp("the " + type + " lookup for " + target + " ("
                    + directive.term() + " in the SPF record of " + d + ") failed: " + t.reason());
        };
    }

    /** 5.4: the addresses of at most 10 MX hosts; more MX records than that is a permerror (4.6.4). */
    private List<InetAddress> mxAddresses(SpfRecord.Directive directive, String target, String d) throws SpfError {
        if (!DnsNames.isValid(target)) {
            step(directive.term() + ": \"" + MacroString.printable(target) + "\" cannot exist in DNS (no match)");
            return List.of();
        }
        checkTime();
        var answer = dns.mx(target);
        List<MxRecord> hosts = switch (answer) {
            case DnsAnswer.Found<MxRecord> f -> f.records();
            case DnsAnswer.NotFound<MxRecord> n -> {
                step(directive.term() + ": " + target + " has no MX records");
                countVoid(directive.term(), d);
                yield List.of();
            }
            case DnsAnswer.TempFail<MxRecord> t -> throw SpfError.temp("the MX lookup for " + target + " ("
                    + directive.term() + " in the SPF record of " + d + ") failed: " + t.reason());
        };
        if (hosts.size() > MAX_MX_HOSTS) {
            throw SpfError.perm(target + " has " + hosts.size() + " MX records; " + directive.term() + " in the SPF record of "
                    + d + " may look up at most " + MAX_MX_HOSTS + " (RFC 7208 4.6.4)");
        }
        var all = new ArrayList<InetAddress>();
        for (var mx : hosts) {
            if (!mx.isRoot()) {
                all.addAll(addresses(directive, mx.host(), d, false));
            }
        }
        return all;
    }

    private boolean anyInNetwork(SpfRecord.Directive directive, String target, List<InetAddress> found, int prefix4,
            int prefix6) {
        boolean v4 = Addresses.isIp4(ip);
        int prefix = v4 ? prefix4 : prefix6;
        for (var a : found) {
            var addr = Addresses.normalize(a);
            if (Addresses.isIp4(addr) == v4 && Addresses.inNetwork(ip, addr.getAddress(), prefix)) {
                step(directive.term() + ": " + target + " has " + Addresses.readable(addr) + " (match)");
                return true;
            }
        }
        if (!found.isEmpty()) {
            step(directive.term() + ": " + target + " has " + found.stream().map(Addresses::readable)
                    .collect(Collectors.joining(", ")) + " (no match)");
        }
        return false;
    }

    /** 5.5: a validated name of the client equals the target or ends with "." and it. */
    private boolean ptrMatches(SpfRecord.Directive directive, String target, String d) throws SpfError {
        var names = validatedNames(directive, d);
        String t = target.toLowerCase(Locale.ROOT);
        for (String n : names) {
            String name = withoutFinalDot(n).toLowerCase(Locale.ROOT);
            if (name.equals(t) || name.endsWith("." + t)) {
                step(directive.term() + ": validated name " + n + " is in " + target + " (match)");
                return true;
            }
        }
        step(directive.term() + ": no validated name of " + Addresses.readable(ip) + " is in " + target
                + (names.isEmpty() ? "" : " (" + String.join(", ", names) + ")"));
        return false;
    }

    private boolean ptrWasVoid;

    /**
     * The client's validated names (5.5): its PTR names, at most the first 10, whose own
     * addresses include it. A DNS error leaves a name (or all of them) out, never more.
     */
    private List<String> validatedNames(SpfRecord.Directive directive, String d) throws SpfError {
        if (validatedNames == null) {
            validatedNames = computeValidatedNames();
        }
        if (ptrWasVoid && directive != null) {
            countVoid(directive.term(), d);
        }
        return validatedNames;
    }

    private List<String> computeValidatedNames() throws SpfError {
        checkTime();
        var answer = dns.ptr(ip);
        List<String> names = switch (answer) {
            case DnsAnswer.Found<String> f -> f.records();
            case DnsAnswer.NotFound<String> n -> {
                ptrWasVoid = true;
                yield List.of();
            }
            case DnsAnswer.TempFail<String> t -> {
                step("PTR lookup for " + Addresses.readable(ip) + " failed (the names are skipped): " + t.reason());
                yield List.of();
            }
        };
        var validated = new ArrayList<String>();
        for (String name : names.subList(0, Math.min(MAX_PTR_NAMES, names.size()))) {
            if (name.isEmpty() || !DnsNames.isValid(name)) {
                continue;
            }
            checkTime();
            boolean v4 = Addresses.isIp4(ip);
            var addrs = v4 ? dns.a(name) : dns.aaaa(name);
            if (addrs instanceof DnsAnswer.Found<InetAddress> f
                    && f.records().stream().anyMatch(a -> Addresses.normalize(a).equals(ip))) {
                validated.add(name);
            }
        }
        step("PTR " + Addresses.readable(ip) + ": " + (names.isEmpty() ? "no names" : String.join(", ", names))
                + "; validated: " + (validated.isEmpty() ? "none" : String.join(", ", validated)));
        return validated;
    }

    /**
     * %{p} (7.3): the current domain if it is a validated name, else a validated name below it,
     * else any validated name, else "unknown". Its lookups do not count as terms.
     */
    private String validatedName(String domain) {
        List<String> names;
        try {
            names = validatedNames(null, domain);
        } catch (SpfError e) {
            return "unknown";
        }
        String d = domain.toLowerCase(Locale.ROOT);
        for (String n : names) {
            if (n.equalsIgnoreCase(d)) {
                return n;
            }
        }
        for (String n : names) {
            if (n.toLowerCase(Locale.ROOT).endsWith("." + d)) {
                return n;
            }
        }
        return names.isEmpty() ? "unknown" : names.get(0);
    }

    /**
     * A domain-spec expanded for a lookup (7.3): without a final dot, and cut from the left
     * label by label when longer than 253 characters.
     */
    String expandDomain(MacroString spec, String d) {
        String name = withoutFinalDot(spec.expand(values(d)));
        while (name.length() > 253 && name.indexOf('.') >= 0) {
            name = name.substring(name.indexOf('.') + 1);
        }
        return name;
    }

    private void countDnsTerm(String term, String d) throws SpfError {
        dnsTerms++;
        if (dnsTerms > MAX_DNS_TERMS) {
            throw SpfError.perm("more than " + MAX_DNS_TERMS + " DNS-querying terms (include, a, mx, ptr, exists, "
                    + "redirect) in all; the limit was passed at " + MacroString.printable(term) + " in the SPF record of "
                    + d + " (RFC 7208 4.6.4)");
        }
    }

    private void countVoid(String term, String d) throws SpfError {
        voidLookups++;
        if (voidLookups > MAX_VOID_LOOKUPS) {
            throw SpfError.perm("more than " + MAX_VOID_LOOKUPS + " lookups found nothing; the last was for "
                    + MacroString.printable(term) + " in the SPF record of " + d + " (void lookup limit, RFC 7208 4.6.4)");
        }
    }

    private void checkTime() throws SpfError {
        if (clock.instant().isAfter(deadline)) {
            throw SpfError.temp("the SPF check took longer than its time limit (RFC 7208 4.6.4)");
        }
    }

    void step(String line) {
        if (trace.size() < MAX_TRACE) {
            trace.add(line);
        }
    }

    private String matchReason(SpfRecord.Directive directive, String d) {
        String c = Addresses.readable(ip);
        String term = MacroString.printable(directive.term());
        return switch (directive.mechanism()) {
            case Mechanism.All a -> "nothing before " + term + " in the SPF record of " + d + " matched " + c
                    + ", and " + term + " gives " + directive.qualifier().result;
            case Mechanism.Include i -> c + " matched " + term + " in the SPF record of " + d
                    + " (the included record passed it)";
            default -> c + " matched " + term + " in the SPF record of " + d;
        };
    }

    /** 4.3: a domain SPF can check has at least two labels, each of 1 to 63 octets. */
    static boolean isCheckable(String domain) {
        if (domain.startsWith("[") || !DnsNames.isValid(domain)) {
            return false;
        }
        return withoutFinalDot(domain).indexOf('.') > 0;
    }

    static String withoutFinalDot(String s) {
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
