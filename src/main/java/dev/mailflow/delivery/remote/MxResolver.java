package dev.mailflow.delivery.remote;

import dev.mailflow.dns.DnsAnswer;
import dev.mailflow.dns.DnsNames;
import dev.mailflow.dns.DnsResolver;
import dev.mailflow.dns.MxRecord;
import dev.mailflow.smtp.Domains;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;

/**
 * Where mail for a domain goes (RFC 5321 5.1): its MX hosts by preference, random among
 * equal preferences, each with all its addresses (A and AAAA); the domain itself when it has
 * no MX (implicit MX); nowhere for a null MX (RFC 7505).
 *
 * <p>Every question goes to Mailflow's one resolver ({@link DnsResolver}, with the shared
 * cache in front in the server), so remote delivery, the tester and the authentication checks
 * see the same answers. A failure says which DNS server was asked, what for, and what went
 * wrong, as the resolver tells the answers apart (RFC 1035 4.1.1): no answer in time, REFUSED,
 * SERVFAIL, an unreachable server; and NXDOMAIN names the server that said so.
 */
public final class MxResolver {

    /** What a lookup found. */
    public sealed interface Result {
    }

    /**
     * One mail exchanger with its addresses.
     *
     * @param secure its address records were DNSSEC-validated (every answer that gave one), as
     *               DANE needs before it looks up TLSA records (RFC 7672 2.2.2)
     */
    public record MxHost(String name, int preference, List<InetAddress> addresses, boolean implicit, boolean secure) {

        public MxHost(String name, int preference, List<InetAddress> addresses, boolean implicit) {
            this(name, preference, addresses, implicit, false);
        }
    }

    /**
     * @param secure the MX answer was DNSSEC-validated (RFC 7672 2.2.1: DANE applies to MX
     *               hosts only then), or, for an implicit MX, the domain's address answers
     */
    public record Hosts(List<MxHost> hosts, boolean secure) implements Result {

        public Hosts(List<MxHost> hosts) {
            this(hosts, false);
        }
    }

    /** RFC 7505: the domain says it accepts no mail. */
    public record NullMx() implements Result {
    }

    /** NXDOMAIN, or a domain with neither MX nor address records. */
    public record NoSuchDomain(String detail) implements Result {
    }

    /** The DNS did not answer, or answered SERVFAIL: try again later. */
    public record TempFailure(String detail) implements Result {
    }

    private final DnsResolver dns;
    /** "DNS server 127.0.0.1:5353", or the system's resolver: who negative answers name. */
    private final String server;

    /**
     * @param dns    the resolver to ask
     * @param server who it asks, in words, for messages ({@link #describe(String)})
     */
    public MxResolver(DnsResolver dns, String server) {
        this.dns = dns;
        this.server = server;
    }

    /** "DNS server 127.0.0.1:5353" for a configured {@code dns_server}; the system's resolver for null. */
    public static String describe(String dnsServer) {
        return dnsServer == null ? "the system's DNS resolver" : "DNS server " + dnsServer;
    }

    /** Who this resolver asks, as failures name it: "DNS server 127.0.0.1:5353". */
    public String server() {
        return server;
    }

    public Result resolve(String domain) {
        if (domain.startsWith("[") && domain.endsWith("]")) {
            return literal(domain);
        }
        if (DnsNames.normalize(domain).isEmpty()) {
            return new NoSuchDomain("not a domain name: " + domain);
        }
        String name = lower(domain);
        return switch (dns.mx(name)) {
            case DnsAnswer.Found<MxRecord> f -> {
                var records = new ArrayList<MxRecord>();
                for (var r : f.records()) {
                    if (r.isRoot()) {
                        yield new NullMx();
                    }
                    records.add(r);
                }
                yield hosts(records, f.authenticated());
            }
            case DnsAnswer.NotFound<MxRecord> n when n.kind() == DnsAnswer.NotFound.Kind.NO_SUCH_NAME ->
                    new NoSuchDomain(name + " does not exist (NXDOMAIN from " + server + ")");
            case DnsAnswer.NotFound<MxRecord> n -> implicit(name);
            case DnsAnswer.TempFail<MxRecord> t -> new TempFailure(t.reason());
        };
    }

    /** No MX: the domain's own addresses are its implicit MX (RFC 5321 5.1). */
    private Result implicit(String name) {
        var addresses = addresses(name);
        if (addresses instanceof TempFailure t) {
            return t;
        }
        var list = ((Hosts) addresses).hosts();
        if (list.isEmpty()) {
            return new NoSuchDomain(name + " has no MX and no address records (" + server + ")");
        }
        var host = list.get(0);
        return new Hosts(List.of(new MxHost(name, 0, host.addresses(), true, host.secure())), host.secure());
    }

    private Result hosts(List<MxRecord> records, boolean secure) {
        // Preference order; equal preferences in random order (RFC 5321 5.1).
        Collections.shuffle(records);
        records.sort(Comparator.comparingInt(MxRecord::preference));
        var hosts = new ArrayList<MxHost>();
        String lastError = null;
        for (var r : records) {
            String host = lower(r.host());
            var found = addresses(host);
            if (found instanceof TempFailure t) {
                lastError = t.detail();
                continue;
            }
            var list = ((Hosts) found).hosts();
            if (!list.isEmpty()) {
                hosts.add(new MxHost(host, r.preference(), list.get(0).addresses(), false, list.get(0).secure()));
            } else {
                lastError = "MX host " + host + " has no address (" + server + ")";
            }
        }
        if (hosts.isEmpty()) {
            return new TempFailure(lastError == null ? "no MX host has an address" : lastError);
        }
        return new Hosts(hosts, secure);
    }

    /**
     * A smart host: its addresses (an IP literal needs no lookup), as a one-host list; a
     * name without addresses is a temporary failure (the configuration may be fixed).
     */
    public Result smartHost(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (Domains.isIpv4Literal(h) || Domains.isIpv6Literal(h)) {
            try {
                return new Hosts(List.of(new MxHost(h, 0, List.of(InetAddress.getByName(h)), true)));
            } catch (UnknownHostException e) {
                return new TempFailure("bad smart host address " + host);
            }
        }
        if (DnsNames.normalize(h).isEmpty()) {
            return new TempFailure("bad smart host name " + host);
        }
        var found = addresses(lower(h));
        if (found instanceof Hosts hs && hs.hosts().isEmpty()) {
            return new TempFailure("smart host " + host + " has no address (" + server + ")");
        }
        return found;
    }

    /**
     * A host's own addresses, no MX (the tester's {@code host:port} target): one host, or
     * NoSuchDomain when it has none, or TempFailure.
     */
    public Result host(String host) {
        if (DnsNames.normalize(host).isEmpty()) {
            return new NoSuchDomain("not a host name: " + host);
        }
        var found = addresses(lower(host));
        if (found instanceof Hosts hs && hs.hosts().isEmpty()) {
            return new NoSuchDomain(host + " has no address records, or does not exist (" + server + ")");
        }
        return found;
    }

    /** A and AAAA of a name, as a one-element host list (empty when it has none). */
    private Result addresses(String name) {
        var found = new LinkedHashMap<String, InetAddress>();
        String error = null;
        boolean secure = true;
        for (var answer : List.of(dns.a(name), dns.aaaa(name))) {
            switch (answer) {
                case DnsAnswer.Found<InetAddress> f -> {
                    f.records().forEach(a -> found.put(a.getHostAddress(), a));
                    secure &= f.authenticated();
                }
                case DnsAnswer.NotFound<InetAddress> n -> secure &= n.authenticated();
                case DnsAnswer.TempFail<InetAddress> t -> {
                    secure = false;
                    if (error == null) {
                        error = t.reason(); // the first: A, the one asked first
                    }
                }
            }
        }
        if (found.isEmpty() && error != null) {
            return new TempFailure(error);
        }
        if (found.isEmpty()) {
            return new Hosts(List.of());
        }
        return new Hosts(List.of(new MxHost(name, 0, List.copyOf(found.values()), false, secure)), secure);
    }

    private static Result literal(String domain) {
        String inner = domain.substring(1, domain.length() - 1);
        if (inner.regionMatches(true, 0, "IPv6:", 0, 5)) {
            inner = inner.substring(5);
        }
        if (!Domains.isIpv4Literal(inner) && !Domains.isIpv6Literal(inner)) {
            return new NoSuchDomain("bad address literal " + domain);
        }
        try {
            return new Hosts(List.of(new MxHost(domain, 0, List.of(InetAddress.getByName(inner)), true)));
        } catch (UnknownHostException e) {
            return new NoSuchDomain("bad address literal " + domain);
        }
    }

    private static String lower(String s) {
        return (s.endsWith(".") ? s.substring(0, s.length() - 1) : s).toLowerCase(Locale.ROOT);
    }
}
