package dev.mailflow.delivery.remote;

import dev.mailflow.queue.Durations;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Cache;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Where mail for a domain goes (RFC 5321 5.1): its MX hosts by preference, random among
 * equal preferences, each with all its addresses (A and AAAA); the domain itself when it has
 * no MX (implicit MX); nowhere for a null MX (RFC 7505).
 *
 * <p>A failure says which DNS server was asked, what for, and what went wrong, told apart as
 * RFC 1035 4.1.1 tells the answers apart: no answer in time, REFUSED, SERVFAIL (the server
 * could not resolve it), NXDOMAIN (the name does not exist), an unreachable server:
 * {@code DNS server 127.0.0.1:5353 did not answer within 5 s (MX example.net)}.
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
    /** "DNS server 127.0.0.1:5353", or the system's servers: who the failures name. */
    private final String server;
    private final Duration timeout;

    /** @param dnsServer "host:port" of the DNS server, or null for the system's resolver */
    public MxResolver(String dnsServer, Duration timeout) throws UnknownHostException {
        if (dnsServer == null) {
            this.resolver = new TimeoutsAsTimeouts(Lookup.getDefaultResolver());
            this.timeout = resolver.getTimeout();
            var servers = ResolverConfig.getCurrentConfig().servers().stream().map(MxResolver::format).toList();
            this.server = servers.isEmpty() ? "the system's DNS resolver"
                    : (servers.size() == 1 ? "DNS server " : "DNS servers ") + String.join(", ", servers);
        } else {
            int colon = dnsServer.lastIndexOf(':');
            String host = dnsServer.startsWith("[") ? dnsServer.substring(1, dnsServer.indexOf(']'))
                    : colon < 0 ? dnsServer : dnsServer.substring(0, colon);
            int port = colon < 0 || dnsServer.endsWith("]") ? 53 : Integer.parseInt(dnsServer.substring(colon + 1));
            var address = new InetSocketAddress(InetAddress.getByName(host), port);
            var r = new SimpleResolver(address);
            r.setTimeout(timeout);
            this.resolver = new TimeoutsAsTimeouts(r);
            this.timeout = timeout;
            this.server = "DNS server " + format(address);
        }
    }

    /**
     * dnsjava's {@link Resolver#send} gives up on its own wait with a plain IOException, which
     * {@link Lookup} then reports as a "network error"; this one waits a moment longer than the
     * query's timeout, so the query's own SocketTimeoutException arrives, and reports its own
     * wait running out as a timeout too: a silent server is "did not answer", not "could not
     * be reached".
     */
    private static final class TimeoutsAsTimeouts implements Resolver {
        private final Resolver r;

        TimeoutsAsTimeouts(Resolver r) {
            this.r = r;
        }

        @Override
        public Message send(Message query) throws IOException {
            try {
                return r.sendAsync(query).toCompletableFuture().get(r.getTimeout().toMillis() + 1000,
                        TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted");
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException("query failed", e.getCause());
            } catch (TimeoutException e) {
                throw new SocketTimeoutException("timed out");
            }
        }

        @Override
        public CompletionStage<Message> sendAsync(Message query) {
            return r.sendAsync(query);
        }

        @Override
        public CompletionStage<Message> sendAsync(Message query, Executor executor) {
            return r.sendAsync(query, executor);
        }

        @Override
        public void setPort(int port) {
            r.setPort(port);
        }

        @Override
        public void setTCP(boolean flag) {
            r.setTCP(flag);
        }

        @Override
        public void setIgnoreTruncation(boolean flag) {
            r.setIgnoreTruncation(flag);
        }

        @Override
        public void setEDNS(int version, int payloadSize, int flags, List<EDNSOption> options) {
            r.setEDNS(version, payloadSize, flags, options);
        }

        @Override
        public void setTSIGKey(TSIG key) {
            r.setTSIGKey(key);
        }

        @Override
        public void setTimeout(Duration t) {
            r.setTimeout(t);
        }

        @Override
        public Duration getTimeout() {
            return r.getTimeout();
        }
    }

    /** Who this resolver asks, as failures name it: "DNS server 127.0.0.1:5353". */
    public String server() {
        return server;
    }

    /** 127.0.0.1:53, or [::1]:53. */
    private static String format(InetSocketAddress a) {
        String ip = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + a.getPort();
    }

    /**
     * Why a lookup got no usable answer, naming the server and the query. dnsjava's
     * {@link Lookup} reports the failure as a fixed text: "timed out", "network error", or
     * the response code's name (RFC 1035 4.1.1, RFC 6895).
     */
    String failure(Lookup l, Name name, int type) {
        String query = Type.string(type) + " " + stripDot(name.toString());
        String error = l.getErrorString() == null ? "" : l.getErrorString();
        return switch (error) {
            case "timed out" -> server + " did not answer within " + Durations.words(timeout) + " (" + query + ")";
            case "network error" -> server + " could not be reached (" + query + ")";
            case "REFUSED" -> server + " refused the query for " + query + " (REFUSED)";
            case "SERVFAIL" -> server + " could not resolve " + query + " (SERVFAIL: the server failed, or the "
                    + "domain's own name servers did not answer it)";
            default -> Rcode.value(error) >= 0 ? server + " answered " + error + " to " + query
                    : server + " gave an unusable answer to " + query + " (" + error + ")";
        };
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
                    return new NoSuchDomain(domain + " has no MX and no address records (" + server + ")");
                }
                return new Hosts(List.of(new MxHost(domain.toLowerCase(Locale.ROOT), 0,
                        list.get(0).addresses(), true)));
            }
            case Lookup.HOST_NOT_FOUND -> {
                return new NoSuchDomain(domain + " does not exist (NXDOMAIN from " + server + ")");
            }
            default -> {
                return new TempFailure(failure(mx, name, Type.MX));
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
                lastError = "MX host " + stripDot(r.getTarget().toString()) + " has no address (" + server + ")";
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
            return new TempFailure("smart host " + host + " has no address (" + server + ")");
        }
        return found;
    }

    /**
     * A host's own addresses, no MX (the tester's {@code host:port} target): one host, or
     * NoSuchDomain when it has none, or TempFailure.
     */
    public Result host(String host) {
        Name name;
        try {
            name = Name.fromString(host.endsWith(".") ? host : host + ".");
        } catch (TextParseException e) {
            return new NoSuchDomain("not a host name: " + host);
        }
        var found = addresses(name);
        if (found instanceof Hosts hs && hs.hosts().isEmpty()) {
            return new NoSuchDomain(host + " has no address records, or does not exist (" + server + ")");
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
                    if (error == null) {
                        error = failure(l, name, type); // the first: A, the one asked first
                    }
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
