package dev.mailflow.dns;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSInput;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.WireParseException;
import org.xbill.DNS.dnssec.ValidatingResolver;

/**
 * DNS over the network with dnsjava: one query per question to the configured server (the
 * {@code [delivery] dns_server}) or to the system's resolvers, each try bounded by a timeout,
 * a second try after a timeout, TCP when a UDP answer comes back truncated (RFC 7766), and
 * CNAME chains followed (RFC 1034 3.6.2), asking again for the chain's end when the server did
 * not include it. There is no cache here: {@link CachingResolver} is the one cache.
 *
 * <p>DNSSEC (RFC 4033, RFC 4035), two ways; the operator picks one:
 *
 * <ul>
 * <li><b>The AD bit of a local validating resolver</b> (the default, Postfix's way): an answer
 *     counts as authenticated only when the server set the AD bit (RFC 6840 5.7) and is on
 *     loopback. A validating resolver on the same host (unbound, say) is the one whose AD bit
 *     can be believed without a secured channel (RFC 6698 A.1.1, RFC 7672 1.3; maddy and
 *     Postfix trust it only so). From any other address the AD bit is ignored: whoever is on
 *     the path could set it.
 * <li><b>Our own validation</b> with a trust anchor ({@link Builder#trustAnchors(Path)},
 *     {@link Builder#rootTrustAnchor()}): dnsjava's {@code ValidatingResolver} asks the server
 *     with the CD bit (RFC 4035 3.2.2), fetches the DS and DNSKEY records the chain of trust
 *     needs and checks every signature from the anchor down (RFC 4035 5). "Authenticated" then
 *     means "validated by Mailflow", from a server at any address, which may itself validate
 *     or not. Chosen when there is no trusted local resolver, at the cost of the extra queries
 *     for keys (cached in the validator).
 * </ul>
 *
 * <p>A bogus answer (RFC 4035 5.5: signatures that do not verify, missing where the chain says
 * they must be) is {@link DnsAnswer.TempFail} with cause SERVFAIL and a reason that starts
 * "DNSSEC validation failed (bogus): ", never NotFound: for DANE (RFC 7672 2.2) a bogus TLSA
 * answer means "do not deliver now", not "there is no TLSA". A validating resolver on loopback
 * gives SERVFAIL for the same case; with an extended DNS error of the DNSSEC kind (RFC 8914,
 * unbound's {@code ede: yes}) that SERVFAIL too is reported as bogus. An answer reached through a CNAME chain is authenticated
 * only when every answer along the chain was (RFC 7672 2.2.2).
 *
 * <p>SECURITY: answers are untrusted input. Only records in the answer section that belong to
 * the asked name (or its CNAME chain) are used; additional records are never taken, so a
 * server cannot plant answers to questions we did not ask.
 */
public final class DnsjavaResolver implements DnsResolver {

    /** RFC 1034 leaves the limit to us; resolvers commonly stop at 8 to 16. */
    private static final int MAX_CNAME_HOPS = 8;
    /** The EDNS buffer size of DNS Flag Day 2020: fits without fragmenting. */
    private static final int EDNS_PAYLOAD = 1232;
    /**
     * Validation may need several queries in a row (DS and DNSKEY up the chain); one question
     * is given this many single-query timeouts in all.
     */
    private static final int VALIDATION_QUERY_BUDGET = 4;
    /** A bogus reason is dnsjava's text, which may quote a whole RRset: kept readable. */
    private static final int MAX_REASON = 300;
    /** dnsjava's reason when the server's own reply was no answer at all (SERVFAIL, REFUSED). */
    private static final String UNVALIDATABLE_REPLY = "Response subtype is UNKNOWN";
    /** dnsjava quotes a failed RRset whole ("{ name ttl IN TYPE [rdata] sigs: [...] }"): its name and type are enough. */
    private static final java.util.regex.Pattern RRSET_DUMP = java.util.regex.Pattern.compile(
            "\\{ (\\S+) \\d+ IN (\\S+) .*$");

    private final List<Server> servers;
    private final Duration timeout;
    private final int tries;
    private final DnssecTrustAnchors anchors;

    /** {@code validating}: our own DNSSEC validator in front of this server, or null. */
    private record Server(InetSocketAddress address, String label, SimpleResolver udp, SimpleResolver tcp,
            ValidatingResolver validating) {
    }

    private DnsjavaResolver(List<InetSocketAddress> addresses, Duration timeout, int tries,
            DnssecTrustAnchors anchors) {
        this.timeout = timeout;
        this.tries = tries;
        this.anchors = anchors;
        var list = new ArrayList<Server>();
        for (var a : addresses) {
            list.add(new Server(a, label(a), resolver(a, timeout, false), resolver(a, timeout, true),
                    anchors == null ? null : validator(a, timeout, anchors)));
        }
        this.servers = List.copyOf(list);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** How to reach DNS; by default the system's resolvers, 3 s a try, 2 tries. */
    public static final class Builder {
        private List<InetSocketAddress> servers;
        private Duration timeout = Duration.ofSeconds(3);
        private int tries = 2;
        private DnssecTrustAnchors anchors;

        private Builder() {
        }

        /**
         * Validate DNSSEC ourselves from these trust anchors: a file of DS or DNSKEY records in
         * zone-file form (an ldns-signzone {@code K*.ds}, a copy of IANA's root DS records).
         * Without it, the AD bit of a server on loopback is believed instead.
         *
         * @throws IllegalArgumentException naming the file when it is missing, unreadable, not
         *                                  zone-file syntax or holds no DS or DNSKEY record
         */
        public Builder trustAnchors(Path file) {
            this.anchors = DnssecTrustAnchors.read(file);
            return this;
        }

        /** Validate DNSSEC ourselves from the root zone's anchors (IANA's KSK-20326 and KSK-38696). */
        public Builder rootTrustAnchor() {
            this.anchors = DnssecTrustAnchors.root();
            return this;
        }

        /**
         * One server as "host", "host:port", "v6-address" or "[v6-address]:port" (port 53 when
         * none is given).
         *
         * @throws IllegalArgumentException with a message for the user when it is none of these
         */
        public Builder server(String hostPort) {
            this.servers = List.of(parseServer(hostPort));
            return this;
        }

        public Builder servers(List<InetSocketAddress> servers) {
            if (servers.isEmpty()) {
                throw new IllegalArgumentException("at least one DNS server is needed");
            }
            this.servers = List.copyOf(servers);
            return this;
        }

        /** The servers of /etc/resolv.conf (or the platform's equivalent), as dnsjava reads them. */
        public Builder systemServers() {
            this.servers = List.copyOf(ResolverConfig.getCurrentConfig().servers());
            return this;
        }

        public Builder timeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("the DNS timeout must be positive");
            }
            this.timeout = timeout;
            return this;
        }

        /** How many times a server that does not answer is asked (at least 1). */
        public Builder tries(int tries) {
            if (tries < 1) {
                throw new IllegalArgumentException("at least one try is needed");
            }
            this.tries = tries;
            return this;
        }

        public DnsjavaResolver build() {
            var list = servers != null ? servers : List.copyOf(ResolverConfig.getCurrentConfig().servers());
            if (list.isEmpty()) {
                list = List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 53));
            }
            return new DnsjavaResolver(list, timeout, tries, anchors);
        }
    }

    /** Whether answers are DNSSEC-validated here (a trust anchor was given) rather than by the server. */
    public boolean validatesLocally() {
        return anchors != null;
    }

    /** The servers asked, as "host:port", for messages. */
    public List<String> servers() {
        return servers.stream().map(Server::label).toList();
    }

    @Override
    public <T> DnsAnswer<T> lookup(String name, RecordType<T> type) {
        var normalized = DnsNames.normalize(name);
        if (normalized.isEmpty()) {
            return DnsAnswer.NotFound.of(DnsAnswer.NotFound.Kind.NO_SUCH_NAME);
        }
        Name qname;
        try {
            qname = toName(normalized.get());
        } catch (WireParseException e) {
            return DnsAnswer.NotFound.of(DnsAnswer.NotFound.Kind.NO_SUCH_NAME);
        }
        var seen = new HashSet<Name>();
        long chainTtl = Long.MAX_VALUE;
        boolean chainAuthenticated = true; // the answers that led here, when a chain took several
        for (int hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
            var exchange = exchange(qname, type, normalized.get());
            if (exchange instanceof Failed f) {
                return new DnsAnswer.TempFail<>(f.cause(), f.reason());
            }
            var ok = (Answered) exchange;
            Message m = ok.message();
            boolean authenticated = chainAuthenticated && m.getHeader().getFlag(Flags.AD)
                    && (ok.server().validating() != null || ok.server().address().getAddress().isLoopbackAddress());
            // Follow the chain inside this answer.
            Name current = qname;
            List<T> found = new ArrayList<>();
            long ttl = chainTtl;
            while (true) {
                if (!seen.add(current)) {
                    return new DnsAnswer.TempFail<>(DnsAnswer.TempFail.Cause.OTHER, "the CNAME chain of "
                            + normalized.get() + " loops at " + text(current) + " (answer of " + ok.server().label() + ")");
                }
                Name owner = current;
                for (var r : m.getSection(Section.ANSWER)) {
                    if (r.getType() == type.code() && r.getDClass() == DClass.IN && r.getName().equals(owner)) {
                        var value = convert(r, type);
                        if (value != null) {
                            found.add(value);
                            ttl = Math.min(ttl, r.getTTL());
                        }
                    }
                }
                if (!found.isEmpty()) {
                    return new DnsAnswer.Found<>(found, Duration.ofSeconds(ttl), authenticated);
                }
                CNAMERecord cname = null;
                for (var r : m.getSection(Section.ANSWER)) {
                    if (r instanceof CNAMERecord c && r.getName().equals(owner) && type.code() != Type.CNAME) {
                        cname = c;
                        break;
                    }
                }
                if (cname == null) {
                    break;
                }
                ttl = Math.min(ttl, cname.getTTL());
                current = cname.getTarget();
                if (seen.size() > MAX_CNAME_HOPS) {
                    return new DnsAnswer.TempFail<>(DnsAnswer.TempFail.Cause.OTHER, "the CNAME chain of "
                            + normalized.get() + " is longer than " + MAX_CNAME_HOPS + " names");
                }
            }
            Duration negativeTtl = negativeTtl(m);
            if (m.getRcode() == Rcode.NXDOMAIN) {
                return new DnsAnswer.NotFound<>(DnsAnswer.NotFound.Kind.NO_SUCH_NAME, negativeTtl, authenticated);
            }
            if (current.equals(qname) || hasSoa(m)) {
                return new DnsAnswer.NotFound<>(DnsAnswer.NotFound.Kind.NO_DATA, negativeTtl, authenticated);
            }
            // A CNAME to a name this server did not answer for: ask for the chain's end.
            chainTtl = ttl;
            chainAuthenticated = authenticated;
            seen.remove(current);
            qname = current;
        }
        return new DnsAnswer.TempFail<>(DnsAnswer.TempFail.Cause.OTHER, "the CNAME chain of " + normalized.get()
                + " is longer than " + MAX_CNAME_HOPS + " names");
    }

    private sealed interface Exchange permits Answered, Failed {
    }

    private record Answered(Message message, Server server) implements Exchange {
    }

    private record Failed(DnsAnswer.TempFail.Cause cause, String reason) implements Exchange {
    }

    /** One question to the servers: every server in turn, again after a timeout, up to {@code tries}. */
    private Exchange exchange(Name qname, RecordType<?> type, String shownName) {
        String what = "the " + type.name() + " query for " + shownName;
        var query = Message.newQuery(org.xbill.DNS.Record.newRecord(qname, type.code(), DClass.IN));
        query.getHeader().setFlag(Flags.AD); // ask for the AD bit (RFC 6840 5.7)
        var failures = new ArrayList<String>();
        var bogusFailures = new ArrayList<String>();
        var answered = new HashSet<Server>();
        DnsAnswer.TempFail.Cause cause = DnsAnswer.TempFail.Cause.TIMEOUT;
        for (int attempt = 1; attempt <= tries; attempt++) {
            for (var server : servers) {
                if (answered.contains(server)) {
                    continue;
                }
                try {
                    Message response = send(server, query);
                    int rcode = response.getRcode();
                    if (rcode == Rcode.NOERROR || rcode == Rcode.NXDOMAIN) {
                        return new Answered(response, server);
                    }
                    answered.add(server);
                    String bogus = server.validating() != null ? bogusReason(response) : serverBogusReason(response);
                    if (bogus != null) {
                        // Another server may still give the data that validates (this one's may be forged).
                        cause = DnsAnswer.TempFail.Cause.SERVFAIL;
                        bogusFailures.add("DNSSEC validation failed (bogus): " + bogus + " (" + what
                                + (server.validating() != null ? ", answered by " + server.label() + ", validated with "
                                        + anchors.source() : ", SERVFAIL from the validating resolver " + server.label())
                                + ")");
                    } else if (rcode == Rcode.SERVFAIL) {
                        cause = DnsAnswer.TempFail.Cause.SERVFAIL;
                        failures.add(server.label() + " answered SERVFAIL to " + what);
                    } else if (rcode == Rcode.REFUSED) {
                        cause = DnsAnswer.TempFail.Cause.REFUSED;
                        failures.add(server.label() + " refused " + what + " (REFUSED)");
                    } else {
                        cause = DnsAnswer.TempFail.Cause.OTHER;
                        failures.add(server.label() + " answered " + Rcode.string(rcode) + " to " + what);
                    }
                } catch (PortUnreachableException | ConnectException e) {
                    answered.add(server);
                    cause = DnsAnswer.TempFail.Cause.REFUSED;
                    failures.add("nothing answers DNS on " + server.label() + " (port unreachable) for " + what);
                } catch (IOException e) {
                    if (isTimeout(e)) {
                        if (attempt == tries) {
                            failures.add(server.label() + " did not answer " + what + " within "
                                    + seconds(timeout) + (tries > 1 ? " (" + tries + " tries)" : ""));
                        }
                    } else if (e instanceof WireParseException || e.getCause() instanceof WireParseException) {
                        answered.add(server);
                        cause = DnsAnswer.TempFail.Cause.OTHER;
                        failures.add(server.label() + " sent a reply to " + what + " that is not valid DNS");
                    } else {
                        answered.add(server);
                        cause = DnsAnswer.TempFail.Cause.OTHER;
                        failures.add(server.label() + " could not be asked " + what + " (network error)");
                    }
                } catch (RuntimeException e) {
                    // dnsjava throws unchecked exceptions for replies it cannot parse.
                    answered.add(server);
                    cause = DnsAnswer.TempFail.Cause.OTHER;
                    failures.add(server.label() + " sent a reply to " + what + " that is not valid DNS");
                }
            }
            if (answered.size() == servers.size()) {
                break;
            }
        }
        if (!bogusFailures.isEmpty()) {
            // Bogus first: it is the reason that matters (RFC 7672 2.2), the rest is detail.
            bogusFailures.addAll(failures);
            return new Failed(DnsAnswer.TempFail.Cause.SERVFAIL, String.join("; ", bogusFailures));
        }
        if (failures.stream().allMatch(f -> f.contains("did not answer"))) {
            cause = DnsAnswer.TempFail.Cause.TIMEOUT;
        }
        return new Failed(cause, String.join("; ", failures));
    }

    /** One exchange with one server: through our validator when there is one, else UDP then TCP. */
    private Message send(Server server, Message query) throws IOException {
        if (server.validating() == null) {
            Message response = server.udp().send(query);
            if (response.getHeader().getFlag(Flags.TC)) {
                response = server.tcp().send(query);
            }
            return response;
        }
        long budget = timeout.toMillis() * VALIDATION_QUERY_BUDGET;
        try {
            return server.validating().sendAsync(query).toCompletableFuture().get(budget, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("Timed out validating", e);
        }
    }

    /**
     * Why our validator found the answer bogus, or null when the SERVFAIL is the server's own.
     * dnsjava's ValidatingResolver turns a bogus answer into SERVFAIL with an extended DNS error
     * (RFC 8914) that holds its reason.
     */
    private static String bogusReason(Message response) {
        if (response.getRcode() != Rcode.SERVFAIL || response.getOPT() == null) {
            return null;
        }
        for (EDNSOption o : response.getOPT().getOptions(EDNSOption.Code.EDNS_EXTENDED_ERROR)) {
            if (o instanceof ExtendedErrorCodeOption ede) {
                String text = ede.getText() == null ? "" : ede.getText().strip();
                if (text.startsWith(UNVALIDATABLE_REPLY)) {
                    return null;
                }
                String why = text.isEmpty() ? edeWords(ede.getErrorCode()) : RRSET_DUMP.matcher(text).replaceFirst("$1 $2");
                return why.length() > MAX_REASON ? why.substring(0, MAX_REASON) + "..." : why;
            }
        }
        return null;
    }

    /**
     * The reason a validating server gives for its SERVFAIL in an extended DNS error of the
     * DNSSEC kind (RFC 8914 4.6 to 4.13: DNSSEC Bogus, Signature Expired, DNSKEY Missing...),
     * or null. Only the words of the message: whether the answer counts is the rcode's.
     */
    private static String serverBogusReason(Message response) {
        if (response.getRcode() != Rcode.SERVFAIL || response.getOPT() == null) {
            return null;
        }
        for (EDNSOption o : response.getOPT().getOptions(EDNSOption.Code.EDNS_EXTENDED_ERROR)) {
            if (o instanceof ExtendedErrorCodeOption ede && ede.getErrorCode() >= ExtendedErrorCodeOption.DNSSEC_BOGUS
                    && ede.getErrorCode() <= ExtendedErrorCodeOption.NSEC_MISSING) {
                String text = ede.getText() == null ? "" : ede.getText().strip();
                String code = edeWords(ede.getErrorCode());
                String why = text.isEmpty() ? code : code + ", " + text;
                return why.length() > MAX_REASON ? why.substring(0, MAX_REASON) + "..." : why;
            }
        }
        return null;
    }

    /** "DNSSEC bogus" for DNSSEC_BOGUS: an extended DNS error's name in words. */
    private static String edeWords(int code) {
        String name = ExtendedErrorCodeOption.text(code).replace('_', ' ').toLowerCase(java.util.Locale.ROOT);
        return name.startsWith("dnssec") ? "DNSSEC" + name.substring(6) : name;
    }

    private static boolean isTimeout(IOException e) {
        return e.getCause() instanceof TimeoutException || e instanceof java.net.SocketTimeoutException
                || (e.getMessage() != null && e.getMessage().startsWith("Timed out"));
    }

    private static Duration negativeTtl(Message m) {
        for (var r : m.getSection(Section.AUTHORITY)) {
            if (r instanceof SOARecord soa) {
                return Duration.ofSeconds(Math.min(soa.getTTL(), soa.getMinimum()));
            }
        }
        return Duration.ZERO; // RFC 2308 5: no SOA, not to be cached
    }

    private static boolean hasSoa(Message m) {
        return m.getSection(Section.AUTHORITY).stream().anyMatch(r -> r instanceof SOARecord);
    }

    private static <T> T convert(org.xbill.DNS.Record r, RecordType<T> type) {
        Object value = switch (r) {
            case ARecord a -> a.getAddress();
            case AAAARecord a -> a.getAddress();
            case MXRecord mx -> new MxRecord(mx.getPriority(), text(mx.getTarget()));
            case TXTRecord txt -> new TxtRecord(txt.getStringsAsByteArrays().stream()
                    .map(b -> new String(b, StandardCharsets.UTF_8)).toList());
            case PTRRecord ptr -> text(ptr.getTarget());
            case CNAMERecord c -> text(c.getTarget());
            case TLSARecord t -> new TlsaRecord(t.getCertificateUsage(), t.getSelector(), t.getMatchingType(),
                    t.getCertificateAssociationData());
            case org.xbill.DNS.CAARecord c -> new CaaRecord(c.getFlags(), c.getTag().toLowerCase(java.util.Locale.ROOT),
                    c.getValue());
            default -> null;
        };
        return value == null ? null : type.javaType().cast(value);
    }

    /** A name as text without the final dot; the root is "". */
    private static String text(Name name) {
        return name.equals(Name.root) ? "" : name.toString(true);
    }

    /** The wire form from labels, so that any octet in a label is taken as it is. */
    private static Name toName(String normalized) throws WireParseException {
        var wire = new java.io.ByteArrayOutputStream();
        for (String label : normalized.split("\\.")) {
            byte[] b = label.getBytes(StandardCharsets.UTF_8);
            wire.write(b.length);
            wire.writeBytes(b);
        }
        wire.write(0);
        return new Name(new DNSInput(wire.toByteArray()));
    }

    private static ValidatingResolver validator(InetSocketAddress address, Duration timeout,
            DnssecTrustAnchors anchors) {
        var head = new SimpleResolver(address);
        head.setTimeout(timeout);
        var v = new ValidatingResolver(head);
        try {
            v.loadTrustAnchors(anchors.stream());
        } catch (IOException e) {
            throw new IllegalArgumentException("DNSSEC trust anchor file " + anchors.source() + " cannot be loaded: "
                    + e.getMessage());
        }
        v.setEDNS(0, EDNS_PAYLOAD, 0, List.of()); // the validator adds the DO bit (RFC 3225)
        return v;
    }

    private static SimpleResolver resolver(InetSocketAddress address, Duration timeout, boolean tcp) {
        var r = new SimpleResolver(address);
        r.setTimeout(timeout);
        r.setTCP(tcp);
        r.setEDNS(0, EDNS_PAYLOAD, 0, List.of());
        return r;
    }

    static InetSocketAddress parseServer(String hostPort) {
        String s = hostPort == null ? "" : hostPort.trim();
        String host;
        int port = 53;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("DNS server " + hostPort + ": missing ]");
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("DNS server " + hostPort + ": expected [address]:port");
                }
                port = port(rest.substring(1), hostPort);
            }
        } else if (s.indexOf(':') != s.lastIndexOf(':')) {
            host = s; // a bare IPv6 address
        } else if (s.contains(":")) {
            host = s.substring(0, s.indexOf(':'));
            port = port(s.substring(s.indexOf(':') + 1), hostPort);
        } else {
            host = s;
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("DNS server " + hostPort + ": no host given (expected host:port)");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("DNS server " + hostPort + ": " + host + " is not an address or a known host name");
        }
    }

    private static int port(String text, String whole) {
        try {
            int p = Integer.parseInt(text);
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException("DNS server " + whole + ": the port must be a number from 1 to 65535");
    }

    private static String label(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    @Override
    public String toString() {
        return "DNS via " + String.join(", ", servers())
                + (anchors == null ? "" : " (DNSSEC validated here with " + anchors.source() + ")");
    }
}
