package dev.mailflow.delivery.remote;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Cache;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Where mail for a domain goes (RFC 5321 5.1): its MX hosts by preference, random among
 * equal preferences, each with all its addresses (A and AAAA); the domain itself when it has
 * no MX (implicit MX); nowhere for a null MX (RFC 7505).
 */
public final class MxResolver {

    /** What a lookup found. */
    public sealed interface Result {
    }

    /** One mail exchanger with its addresses. */
    public record MxHost(String name, int preference, List<InetAddress> addresses, boolean implicit) {
    }

    public record Hosts(List<MxHost> hosts) implements Result {
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

    private final Resolver resolver;
    private final Cache cache = new Cache(DClass.IN);

    /** @param dnsServer "host:port" of the DNS server, or null for the system's resolver */
    public MxResolver(String dnsServer, Duration timeout) throws UnknownHostException {
        if (dnsServer == null) {
            this.resolver = Lookup.getDefaultResolver();
        } else {
            int colon = dnsServer.lastIndexOf(':');
            String host = dnsServer.startsWith("[") ? dnsServer.substring(1, dnsServer.indexOf(']'))
                    : colon < 0 ? dnsServer : dnsServer.substring(0, colon);
            int port = colon < 0 || dnsServer.endsWith("]") ? 53 : Integer.parseInt(dnsServer.substring(colon + 1));
            var r = new SimpleResolver(new InetSocketAddress(InetAddress.getByName(host), port));
            r.setTimeout(timeout);
            this.resolver = r;
        }
    }

    public Result resolve(String domain) {
        if (domain.startsWith("[") && domain.endsWith("]")) {
            return literal(domain);
        }
        Name name;
        try {
            name = Name.fromString(domain.endsWith(".") ? domain : domain + ".");
        } catch (TextParseException e) {
            return new NoSuchDomain("not a domain name: " + domain);
        }
        var mx = lookup(name, Type.MX);
        switch (mx.getResult()) {
            case Lookup.SUCCESSFUL -> {
                var records = new ArrayList<MXRecord>();
                for (Record r : mx.getAnswers()) {
                    if (r instanceof MXRecord m) {
                        if (m.getTarget().equals(Name.root)) {
                            return new NullMx();
                        }
                        records.add(m);
                    }
                }
                return hosts(records);
            }
            case Lookup.TYPE_NOT_FOUND -> {
                // No MX: the domain's own addresses are its implicit MX (RFC 5321 5.1).
                var addresses = addresses(name);
                if (addresses instanceof TempFailure t) {
                    return t;
                }
                var list = ((Hosts) addresses).hosts();
                if (list.isEmpty()) {
                    return new NoSuchDomain(domain + " has no MX and no address records");
                }
                return new Hosts(List.of(new MxHost(domain.toLowerCase(Locale.ROOT), 0,
                        list.get(0).addresses(), true)));
            }
            case Lookup.HOST_NOT_FOUND -> {
                return new NoSuchDomain(domain + " does not exist (NXDOMAIN)");
            }
            default -> {
                return new TempFailure("MX lookup for " + domain + " failed: " + mx.getErrorString());
            }
        }
    }

    private Result hosts(List<MXRecord> records) {
        // Preference order; equal preferences in random order (RFC 5321 5.1).
        Collections.shuffle(records);
        records.sort(Comparator.comparingInt(MXRecord::getPriority));
        var hosts = new ArrayList<MxHost>();
        String lastError = null;
        for (var r : records) {
            var found = addresses(r.getTarget());
            if (found instanceof TempFailure t) {
                lastError = t.detail();
                continue;
            }
            var list = ((Hosts) found).hosts();
            if (!list.isEmpty()) {
                hosts.add(new MxHost(stripDot(r.getTarget().toString()), r.getPriority(), list.get(0).addresses(),
                        false));
            } else {
                lastError = "MX host " + stripDot(r.getTarget().toString()) + " has no address";
            }
        }
        if (hosts.isEmpty()) {
            return new TempFailure(lastError == null ? "no MX host has an address" : lastError);
        }
        return new Hosts(hosts);
    }

    /**
     * A smart host: its addresses (an IP literal needs no lookup), as a one-host list; a
     * name without addresses is a temporary failure (the configuration may be fixed).
     */
    public Result smartHost(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (dev.mailflow.smtp.Domains.isIpv4Literal(h) || dev.mailflow.smtp.Domains.isIpv6Literal(h)) {
            try {
                return new Hosts(List.of(new MxHost(h, 0, List.of(InetAddress.getByName(h)), true)));
            } catch (UnknownHostException e) {
                return new TempFailure("bad smart host address " + host);
            }
        }
        Name name;
        try {
            name = Name.fromString(h.endsWith(".") ? h : h + ".");
        } catch (TextParseException e) {
            return new TempFailure("bad smart host name " + host);
        }
        var found = addresses(name);
        if (found instanceof Hosts hs && hs.hosts().isEmpty()) {
            return new TempFailure("smart host " + host + " has no address");
        }
        return found;
    }

    /** A and AAAA of a name, as a one-element host list (empty when it has none). */
    private Result addresses(Name name) {
        var found = new LinkedHashMap<String, InetAddress>();
        int temp = 0;
        String error = null;
        for (int type : new int[] {Type.A, Type.AAAA}) {
            var l = lookup(name, type);
            switch (l.getResult()) {
                case Lookup.SUCCESSFUL -> {
                    for (Record r : l.getAnswers()) {
                        InetAddress a = r instanceof ARecord ar ? ar.getAddress()
                                : r instanceof AAAARecord aaaa ? aaaa.getAddress() : null;
                        if (a != null) {
                            found.put(a.getHostAddress(), a);
                        }
                    }
                }
                case Lookup.TYPE_NOT_FOUND, Lookup.HOST_NOT_FOUND -> {
                }
                default -> {
                    temp++;
                    error = "address lookup for " + stripDot(name.toString()) + " failed: " + l.getErrorString();
                }
            }
        }
        if (found.isEmpty() && temp > 0) {
            return new TempFailure(error);
        }
        if (found.isEmpty()) {
            return new Hosts(List.of());
        }
        return new Hosts(List.of(new MxHost(stripDot(name.toString()), 0, List.copyOf(found.values()), false)));
    }

    private Lookup lookup(Name name, int type) {
        var l = new Lookup(name, type);
        l.setResolver(resolver);
        l.setCache(cache);
        l.setSearchPath(new Name[0]);
        l.run();
        return l;
    }

    private static Result literal(String domain) {
        String inner = domain.substring(1, domain.length() - 1);
        if (inner.regionMatches(true, 0, "IPv6:", 0, 5)) {
            inner = inner.substring(5);
        }
        try {
            return new Hosts(List.of(new MxHost(domain, 0, List.of(InetAddress.getByName(inner)), true)));
        } catch (UnknownHostException e) {
            return new NoSuchDomain("bad address literal " + domain);
        }
    }

    private static String stripDot(String s) {
        return (s.endsWith(".") ? s.substring(0, s.length() - 1) : s).toLowerCase(Locale.ROOT);
    }
}
