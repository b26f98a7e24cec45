package dev.mailflow.probe;

import dev.mailflow.client.Capabilities;
import dev.mailflow.client.ClientTimeouts;
import dev.mailflow.client.NetworkErrors;
import dev.mailflow.client.SmtpClient;
import dev.mailflow.client.TranscriptListener;
import dev.mailflow.delivery.remote.MxResolver;
import dev.mailflow.dns.CachingResolver;
import dev.mailflow.dns.DnsResolver;
import dev.mailflow.dns.DnsjavaResolver;
import dev.mailflow.smtp.Domains;
import dev.mailflow.smtp.Reply;
import dev.mailflow.smtp.StatusCatalogue;
import dev.mailflow.smtp.Xtext;
import dev.mailflow.tlspolicy.TrustAnchors;
import dev.mailflow.tlspolicy.WebPki;
import dev.mailflow.tlspolicy.dane.DaneVerifier;
import dev.mailflow.tlspolicy.mtasts.HttpsPolicyFetcher;
import dev.mailflow.tlspolicy.mtasts.MtaStsPolicy;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Runs the seeds' procedure against a server, step by step (RFC 5321; the steps of
 * "Use Telnet to test SMTP communication"). Never throws for what the server or the network
 * does: every failure is a step with its reasons.
 */
public final class Probe {

    /** Hears each step as it ends, and what the probe is waiting for. */
    public interface Listener {
        void step(ProbeStep step);

        default void waiting(String what) {
        }

        /** The every-MX, every-address matrix, when it ran (after the session). */
        default void matrix(List<MxMatrix.MxEntry> entries) {
        }
    }

    static final List<String> STAGES = List.of("DNS", "RECORDS", "CONNECT", "BANNER", "EHLO", "STARTTLS", "AUTH", "MAIL", "RCPT",
            "DATA", "MTA-STS", "MX-TLS", "TLS-RPT", "ROUND-TRIP");

    private final ProbeOptions o;
    private final Listener listener;
    private final List<ProbeStep> steps = new ArrayList<>();
    private final List<String> exchange = new ArrayList<>();
    private final List<String> transcript;
    private long stepStart;
    private X509Certificate[] peerChain;

    private DnsResolver resolver;

    private Probe(ProbeOptions options, Listener listener, List<String> transcript) {
        this.o = options;
        this.listener = listener;
        this.transcript = transcript;
    }

    /**
     * @param transcript receives every line of the session ("C: ", "S: ", "* ") for --log; may be null
     */
    public static ProbeReport run(ProbeOptions options, Listener listener, List<String> transcript) {
        var p = new Probe(options, listener, transcript == null ? new ArrayList<>() : transcript);
        return p.run();
    }

    private ProbeReport run() {
        var target = o.destination();
        String host = target.host();
        int port = target.port();
        boolean direct = target.direct();
        List<MxResolver.MxHost> hosts = dns(host, direct);
        if (!direct) {
            records(host);
        }
        if (hosts == null) {
            return report("UNREACHABLE", null);
        }
        SmtpClient client = connect(hosts, port);
        String outcome;
        if (client == null) {
            outcome = "UNREACHABLE";
        } else {
            try (client) {
                outcome = session(client);
            }
        }
        if (o.matrix().runs(direct)) {
            matrix(direct ? null : host, hosts, port);
        }
        if (!direct) {
            boolean policyFailed = tlsPolicy(host, hosts, port);
            if (policyFailed && outcome.equals("PASSED")) {
                outcome = "TLS_POLICY_FAILED";
            }
        }
        if (o.roundTrip() != null && sentAt != null) {
            if (!roundTrip() && outcome.equals("PASSED")) {
                outcome = "REFUSED";
            }
        }
        return report(outcome, queueId);
    }

    private String queueId;
    /** The round trip's: the ENVID and Message-ID of the test message, when it was accepted, whether DSN was offered. */
    private final String envid = "mailflow-" + UUID.randomUUID().toString().substring(0, 18);
    private String messageId;
    private java.time.Instant sentAt;
    private boolean dsnOffered;
    private List<MxMatrix.MxEntry> matrix = List.of();

    private ProbeReport report(String outcome, String id) {
        return new ProbeReport(ProbeReport.SCHEMA_VERSION, o.target(), outcome, id, List.copyOf(steps), matrix);
    }

    /**
     * The delivery-receipt round trip, after every other step: waits for the DSN (or a reply)
     * to the test message in the return address's mailbox, and reports the whole path.
     *
     * @return false when a report says the message failed for a recipient
     */
    private boolean roundTrip() {
        var rt = o.roundTrip();
        begin("ROUND-TRIP");
        var meaning = new ArrayList<String>();
        var details = new LinkedHashMap<String, Object>();
        details.put("envid", envid);
        details.put("messageId", messageId);
        details.put("returnPath", o.from());
        details.put("mailbox", rt.maildir().toString());
        details.put("dsnOffered", dsnOffered);
        exchange.add(dsnOffered ? Messages.text("roundTrip.sent.dsn", messageId, o.from(), envid, queueId)
                : Messages.text("roundTrip.sent.noDsn", messageId, o.from(), queueId));
        if (!dsnOffered) {
            meaning.add(Messages.text("roundTrip.noDsn"));
            end("ROUND-TRIP", "WARN", meaning, List.of(Messages.text("roundTrip.noDsn.reason")), details);
            return true;
        }
        exchange.add(Messages.text("roundTrip.waiting", rt.limit().toSeconds(), rt.maildir(), rt.where()));
        List<RoundTrip.Arrival> arrivals;
        try {
            arrivals = RoundTrip.await(rt, envid, messageId, sentAt, o.to(), listener);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            arrivals = List.of();
        }
        var list = new ArrayList<Map<String, Object>>();
        var reported = new java.util.HashSet<String>();
        boolean failed = false;
        boolean delivered = false;
        boolean relayed = false;
        boolean reply = false;
        for (var a : arrivals) {
            var entry = new LinkedHashMap<String, Object>();
            entry.put("kind", a.kind());
            entry.put("afterMillis", a.after().toMillis());
            entry.put("from", a.from());
            entry.put("subject", a.subject());
            String when = "+" + Messages.decimal(a.after().toMillis() / 1000.0) + " s";
            if (a.report() == null) {
                reply = true;
                exchange.add(Messages.text("roundTrip.reply", when, a.from(), a.subject()));
                meaning.add(Messages.text("roundTrip.reply.meaning"));
            } else {
                var r = a.report();
                entry.put("reportingMta", r.reportingMta());
                entry.put("originalEnvelopeId", r.originalEnvelopeId());
                entry.put("arrivalDate", r.arrivalDate());
                var recipients = new ArrayList<Map<String, Object>>();
                exchange.add(Messages.text("roundTrip.dsn", when, r.from(), r.reportingMta()));
                int shown = 0;
                for (var x : r.recipients()) {
                    boolean ours = sentTo(x);
                    if (ours) {
                        reported.add(x.originalRecipient() != null && sentTo(x.originalRecipient())
                                ? x.originalRecipient().toLowerCase(Locale.ROOT)
                                : x.finalRecipient().toLowerCase(Locale.ROOT));
                        switch (x.action() == null ? "" : x.action()) {
                            case "failed" -> failed = true;
                            case "delivered", "expanded" -> delivered = true;
                            case "relayed" -> relayed = true;
                            default -> { }
                        }
                    }
                    var m = new LinkedHashMap<String, Object>();
                    m.put("finalRecipient", x.finalRecipient());
                    m.put("originalRecipient", x.originalRecipient());
                    m.put("action", x.action());
                    m.put("status", x.status());
                    m.put("remoteMta", x.remoteMta());
                    m.put("diagnosticCode", x.diagnosticCode());
                    recipients.add(m);
                    if (++shown > MAX_SHOWN) {
                        continue; // in the JSON, not in the text
                    }
                    exchange.add("    " + x.finalRecipient() + ": Action " + x.action() + ", Status " + x.status()
                            + (x.remoteMta() != null ? ", Remote-MTA " + x.remoteMta() : "")
                            + (x.diagnosticCode() != null ? ", Diagnostic-Code " + x.diagnosticCode() : ""));
                    meaning.add(recipientMeaning(x, when));
                    if (!ours) {
                        meaning.add(Messages.text("roundTrip.notOurs", x.finalRecipient()));
                    }
                }
                if (r.recipients().size() > MAX_SHOWN) {
                    exchange.add("    " + Messages.text("roundTrip.more", r.recipients().size() - MAX_SHOWN, MAX_SHOWN));
                }
                entry.put("recipients", recipients);
                meaning.add(envid.equals(r.originalEnvelopeId()) ? Messages.text("roundTrip.envid.back", envid)
                        : Messages.text("roundTrip.envid.lost"));
                boolean orcpt = r.recipients().stream().anyMatch(x -> x.originalRecipient() != null);
                meaning.add(Messages.text(orcpt ? "roundTrip.orcpt.back" : "roundTrip.orcpt.lost"));
            }
            list.add(entry);
        }
        details.put("arrivals", list);
        String status;
        var reasons = new ArrayList<String>();
        var unreported = o.to().stream().filter(t -> !reported.contains(t.toLowerCase(Locale.ROOT))).toList();
        if (!failed && !reply && (delivered || relayed) && !unreported.isEmpty()) {
            status = "WARN";
            meaning.add(Messages.text("roundTrip.unreported", String.join(", ", unreported), rt.limit().toSeconds()));
            reasons.add(Messages.text("roundTrip.unreported.reason"));
        } else if (failed) {
            status = "FAIL";
            reasons.add(Messages.text("roundTrip.failed.reason"));
        } else if (delivered || reply) {
            status = "PASS";
        } else if (relayed) {
            status = "WARN";
            meaning.add(Messages.text("roundTrip.relayed"));
        } else {
            status = "WARN";
            meaning.add(Messages.text(arrivals.isEmpty() ? "roundTrip.nothing" : "roundTrip.delayOnly",
                    rt.limit().toSeconds()));
            reasons.add(Messages.text("roundTrip.reason.dropsSuccess"));
            reasons.add(Messages.text("roundTrip.reason.slow", rt.where()));
            reasons.add(Messages.text("roundTrip.reason.unreachable", o.from(), rt.where()));
        }
        end("ROUND-TRIP", status, meaning, reasons, details);
        return !failed;
    }

    /** The most recipients of one report the text shows (all are in the JSON up to the parser's bound). */
    static final int MAX_SHOWN = 20;

    /** Whether a report's recipient is one the probe sent to (as given, or as its Original-Recipient). */
    private boolean sentTo(DeliveryReport.Recipient x) {
        return sentTo(x.finalRecipient()) || sentTo(x.originalRecipient());
    }

    private boolean sentTo(String address) {
        return address != null && o.to().stream().anyMatch(t -> t.equalsIgnoreCase(address));
    }

    private static String recipientMeaning(DeliveryReport.Recipient x, String when) {
        String what = switch (x.action() == null ? "" : x.action()) {
            case "delivered", "relayed", "expanded", "delayed", "failed" -> Messages.text("roundTrip.action." + x.action());
            default -> Messages.text("roundTrip.action.other", x.action());
        };
        var code = x.status() == null ? null : dev.mailflow.smtp.EnhancedStatus.parse(x.status().strip());
        if (x.status() != null) {
            what = Messages.text("roundTrip.recipient.status", what, code == null ? x.status()
                    : StatusCatalogue.describe(code));
        }
        String next = x.remoteMta() == null ? null : untyped(x.remoteMta());
        String says = x.diagnosticCode() == null ? null : untyped(x.diagnosticCode());
        String key = next != null && says != null ? "roundTrip.recipient.nextSays"
                : next != null ? "roundTrip.recipient.next" : says != null ? "roundTrip.recipient.says"
                : "roundTrip.recipient";
        return Messages.text(key, x.finalRecipient(), what, when, next != null ? next : says, says);
    }

    /** {@code dns; mx.example} or {@code smtp; 550 ...} without its RFC 3464 type. */
    private static String untyped(String field) {
        int semi = field.indexOf(';');
        return semi > 0 && semi < 12 && field.substring(0, semi).strip().matches("[A-Za-z0-9-]+")
                ? field.substring(semi + 1).strip() : field.strip();
    }

    /** Every address of every MX, each in a session of its own, graded (after the main session). */
    private void matrix(String domain, List<MxResolver.MxHost> hosts, int port) {
        var webPki = new WebPki(TrustAnchors.withCaFile(o.tlsPolicy().caFile()), Clock.systemUTC());
        var grader = o.matrix().tlsGrade() ? new TlsGrader(o.helo(), o.from(), o.timeout()) : null;
        var check = new AddressCheck(o, resolver(), webPki, o.matrix().dnsbl(), grader, transcript);
        matrix = MxMatrix.run(resolver(), domain, hosts, port, check, listener);
        listener.matrix(matrix);
    }

    // ---- Steps ----------------------------------------------------------------------------

    private List<MxResolver.MxHost> dns(String host, boolean direct) {
        begin("DNS");
        var details = new LinkedHashMap<String, Object>();
        var meaning = new ArrayList<String>();
        try {
            boolean literal = Domains.isIpv4Literal(host) || Domains.isIpv6Literal(host);
            if (direct && (literal || o.dnsServer() == null)) {
                var addresses = List.of(InetAddress.getAllByName(host));
                details.put("hosts", List.of(Map.of("name", host, "addresses", text(addresses))));
                meaning.add(Messages.text("dns.asGiven", host));
                end("DNS", "PASS", meaning, List.of(), details);
                return List.of(new MxResolver.MxHost(host, 0, addresses, true));
            }
            var resolver = new MxResolver(resolver(), MxResolver.describe(o.dnsServer()));
            var result = direct ? resolver.host(host) : resolver.resolve(host);
            switch (result) {
                case MxResolver.Hosts h -> {
                    var list = new ArrayList<Map<String, Object>>();
                    for (var mx : h.hosts()) {
                        if (!mx.implicit()) {
                            exchange.add(host + " MX preference=" + mx.preference() + ", mail exchanger = " + mx.name());
                        }
                        for (var a : mx.addresses()) {
                            exchange.add(mx.name() + " internet address = " + a.getHostAddress());
                        }
                        list.add(Map.of("name", mx.name(), "preference", mx.preference(), "addresses",
                                text(mx.addresses()), "implicit", mx.implicit()));
                    }
                    details.put("hosts", list);
                    if (direct) {
                        meaning.add(Messages.text("dns.asGiven", host));
                        end("DNS", "PASS", meaning, List.of(), details);
                    } else if (h.hosts().get(0).implicit()) {
                        meaning.add(Messages.text("dns.implicit", host));
                        end("DNS", "WARN", meaning, List.of(), details);
                    } else {
                        meaning.add(Messages.text("dns.hosts", h.hosts().size()));
                        end("DNS", "PASS", meaning, List.of(), details);
                    }
                    return h.hosts();
                }
                case MxResolver.NullMx n -> {
                    meaning.add(Messages.text("dns.nullMx", host));
                    end("DNS", "FAIL", meaning, List.of(Messages.text("dns.nullMx.reason")), details);
                    return null;
                }
                case MxResolver.NoSuchDomain d -> {
                    meaning.add(d.detail());
                    end("DNS", "FAIL", meaning, List.of(Messages.text("dns.noDomain.reason.1"),
                            Messages.text("dns.noDomain.reason.2")), details);
                    return null;
                }
                case MxResolver.TempFailure t -> {
                    meaning.add(t.detail());
                    end("DNS", "FAIL", meaning, List.of(Messages.text("dns.tempFail.reason")), details);
                    return null;
                }
            }
        } catch (UnknownHostException e) {
            meaning.add(Messages.text("dns.unknownHost", host));
            end("DNS", "FAIL", meaning, List.of(Messages.text("connect.reason.4")), details);
            return null;
        }
    }

    /** The domain's SPF, DMARC and DKIM records (RFC 7208, RFC 9989, RFC 6376), after its MX. */
    private void records(String domain) {
        begin("RECORDS");
        listener.waiting(Messages.text("waiting.records", domain));
        var r = RecordsStep.run(resolver(), domain, o.dkimSelectors());
        exchange.addAll(r.exchange());
        end("RECORDS", r.status(), r.meaning(), r.reasons(), r.details());
    }

    /**
     * The TLS policy steps of a domain, after its session: MTA-STS (the record and the policy),
     * MX-TLS for each MX host (TLSA, DNSSEC, DANE match, MTA-STS mx and WebPKI), then TLS-RPT.
     *
     * @return whether a check failed that makes senders that check refuse or hold mail
     */
    private boolean tlsPolicy(String domain, List<MxResolver.MxHost> hosts, int port) {
        String d = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
        var tls = o.tlsPolicy();
        var webPki = new WebPki(TrustAnchors.withCaFile(tls.caFile()), Clock.systemUTC());
        var fetcher = new HttpsPolicyFetcher(resolver(), webPki, tls.mtaStsPort(), o.timeout());

        begin("MTA-STS");
        listener.waiting(Messages.text("waiting.mtaSts", d));
        var sts = MtaStsStep.run(resolver(), fetcher, fetcher.url(d), d);
        exchange.addAll(sts.outcome().exchange());
        end("MTA-STS", sts.outcome().status(), sts.outcome().meaning(), sts.outcome().reasons(),
                sts.outcome().details());
        boolean failed = sts.outcome().status().equals("FAIL");
        boolean anyPolicy = sts.policy() != null && sts.policy().mode() != MtaStsPolicy.Mode.NONE;

        var step = new MxTlsStep(resolver(), webPki, new DaneVerifier(), port);
        var byName = new LinkedHashMap<String, MxResolver.MxHost>();
        hosts.forEach(h -> byName.putIfAbsent(h.name(), h));
        for (var h : byName.values()) {
            begin("MX-TLS");
            listener.waiting(Messages.text("waiting.mxTls", h.name()));
            var r = step.run(h.name(), d, sts.policy(), name -> peer(byName.get(name), port));
            var smtp = new ArrayList<>(exchange);
            exchange.clear();
            exchange.addAll(r.exchange());
            exchange.addAll(smtp);
            var meaning = new ArrayList<String>();
            meaning.add(h.implicit() ? Messages.text("mxTls.host.implicit", h.name(), port)
                    : Messages.text("mxTls.host", h.name(), h.preference(), port));
            meaning.addAll(r.meaning());
            end("MX-TLS", r.status(), meaning, r.reasons(), r.details());
            failed |= r.status().equals("FAIL");
            anyPolicy |= "dane".equals(r.details().get("policy"));
        }

        begin("TLS-RPT");
        var rpt = TlsRptStep.run(resolver(), d, anyPolicy);
        exchange.addAll(rpt.exchange());
        end("TLS-RPT", rpt.status(), rpt.meaning(), rpt.reasons(), rpt.details());
        return failed;
    }

    /**
     * The certificate chain of an MX for the MX-TLS step: the session's when it did STARTTLS
     * with this host, else from a connection of its own (EHLO, STARTTLS, QUIT), to the first
     * address that answers.
     */
    private MxTlsStep.Peer peer(MxResolver.MxHost host, int port) {
        if ("never".equals(o.starttls())) {
            return new MxTlsStep.Peer.NotChecked("--starttls never");
        }
        if (host.name().equals(connectedHost) && sessionTls != null) {
            return sessionTls;
        }
        if (unreachable.contains(host.name())) {
            return new MxTlsStep.Peer.NotChecked(Messages.text("peer.unreachable", host.name()));
        }
        var problems = new ArrayList<String>();
        for (var a : host.addresses()) {
            String where = host.name() + " [" + a.getHostAddress() + "]:" + port;
            exchange.add("OPEN " + where);
            listener.waiting(Messages.text("waiting.certificate", where));
            try (var client = SmtpClient.connect(new InetSocketAddress(a, port), timeouts(), recorder())) {
                var banner = client.greeting();
                if (banner.code() != 220) {
                    problems.add(Messages.text("peer.banner", where, banner.code()));
                    continue;
                }
                if (client.ehlo(o.helo()).code() != 250 || !client.capabilities().startTls()) {
                    client.command("QUIT", o.timeout());
                    return new MxTlsStep.Peer.NoStartTls(where);
                }
                var captured = new X509Certificate[1][];
                var factory = dev.mailflow.client.OpportunisticTls.context(chain -> captured[0] = chain)
                        .getSocketFactory();
                var reply = client.startTls(factory, host.name());
                if (reply.code() != 220) {
                    client.command("QUIT", o.timeout());
                    return new MxTlsStep.Peer.NoStartTls(where);
                }
                client.ehlo(o.helo());
                client.command("QUIT", o.timeout());
                return captured[0] == null ? new MxTlsStep.Peer.NotChecked(Messages.text("peer.noCertificate", where))
                        : new MxTlsStep.Peer.Tls(List.of(captured[0]), where);
            } catch (IOException e) {
                problems.add(where + ": " + NetworkErrors.describe(e));
            }
        }
        return new MxTlsStep.Peer.NotChecked(problems.isEmpty() ? Messages.text("peer.noAddress", host.name())
                : Messages.text("peer.failed", Messages.joined(problems)));
    }

    private final java.util.Set<String> unreachable = new java.util.HashSet<>();
    private MxTlsStep.Peer sessionTls;

    private SmtpClient connect(List<MxResolver.MxHost> hosts, int port) {
        begin("CONNECT");
        var meaning = new ArrayList<String>();
        var reasons = new ArrayList<String>();
        for (var h : hosts) {
            for (var a : h.addresses()) {
                var address = new InetSocketAddress(a, port);
                String where = h.name() + " [" + a.getHostAddress() + "]:" + port;
                listener.waiting(Messages.text("waiting.connect", where));
                exchange.add("OPEN " + where);
                try {
                    var client = SmtpClient.connect(address, timeouts(), recorder());
                    meaning.add(Messages.text("connect.opened", where));
                    end("CONNECT", "PASS", meaning, List.of(), Map.of("host", h.name(), "address",
                            a.getHostAddress(), "port", port));
                    connectedHost = h.name();
                    return client;
                } catch (IOException e) {
                    exchange.add(Messages.text("connect.couldNotOpen", port, NetworkErrors.describe(e)));
                    meaning.add(Messages.text("connect.failed", where, describe(e)));
                }
            }
            unreachable.add(h.name());
        }
        reasons.addAll(Explanations.connectReasons());
        end("CONNECT", "FAIL", meaning, reasons, Map.of());
        return null;
    }

    private String connectedHost;

    /** Which of the seeds' reasons a connection error points to. */
    static String describe(IOException e) {
        if (e instanceof ConnectException) {
            return Messages.text("connect.refused");
        }
        if (e instanceof SocketTimeoutException) {
            return Messages.text("connect.timeout");
        }
        if (e instanceof NoRouteToHostException) {
            return Messages.text("connect.noRoute");
        }
        if (e instanceof UnknownHostException) {
            return Messages.text("connect.unknownHost");
        }
        return NetworkErrors.describe(e) + ".";
    }

    private String session(SmtpClient client) {
        try {
            if (stop("CONNECT")) {
                // --quit-after CONNECT: the TCP connection is the whole test (DNS and the records
                // step ran already); the connection closes without a word of SMTP.
                return "PASSED";
            }
            begin("BANNER");
            listener.waiting(Messages.text("waiting.banner"));
            var banner = client.greeting();
            if (!replyStep("BANNER", banner, 220)) {
                return "REFUSED";
            }
            if (stop("BANNER")) {
                return quit(client);
            }
            String helo = o.helo();
            begin("EHLO");
            var ehlo = client.ehlo(helo);
            if (ehlo.code() != 250) {
                var heloReply = client.helo(helo);
                if (heloReply.code() != 250) {
                    replyStep("EHLO", ehlo, 250);
                    return "REFUSED";
                }
                var meaning = new ArrayList<>(meaning(heloReply));
                meaning.add(Messages.text("ehlo.heloOnly"));
                end("EHLO", "WARN", meaning, List.of(), Map.of());
            } else {
                var meaning = new ArrayList<>(meaning(ehlo));
                meaning.addAll(capabilities(client.capabilities(), ehlo.lines()));
                end("EHLO", "PASS", meaning, List.of(), Map.of("capabilities", client.capabilities().keywords()));
            }
            if (stop("EHLO")) {
                return quit(client);
            }
            if (!starttls(client)) {
                return "REFUSED";
            }
            if (stop("STARTTLS")) {
                return quit(client);
            }
            if (o.authUser() != null) {
                begin("AUTH");
                var auth = client.authenticate(o.authUser(), o.authPassword() == null ? "" : o.authPassword());
                if (!replyStep("AUTH", auth, 235)) {
                    quit(client);
                    return "REFUSED";
                }
                if (stop("AUTH")) {
                    return quit(client);
                }
            }
            begin("MAIL");
            boolean receipt = o.roundTrip() != null && client.capabilities().dsn();
            dsnOffered = client.capabilities().dsn();
            var mail = client.mail("<" + o.from() + ">", receipt ? "RET=HDRS ENVID=" + Xtext.encode(envid) : "");
            if (!replyStep("MAIL", mail, 250)) {
                quit(client);
                return "REFUSED";
            }
            if (stop("MAIL") || o.to().isEmpty()) {
                return quit(client);
            }
            boolean anyRecipient = false;
            boolean refused = false;
            for (String rcpt : o.to()) {
                begin("RCPT");
                String params = receipt ? "NOTIFY=SUCCESS,FAILURE,DELAY ORCPT=rfc822;" + Xtext.encode(rcpt)
                        : o.notifyOn() == null ? "" : "NOTIFY=" + o.notifyOn().toUpperCase(Locale.ROOT);
                var r = client.rcpt("<" + rcpt + ">", params);
                if (replyStep("RCPT", r, 250, 251)) {
                    anyRecipient = true;
                } else {
                    refused = true;
                }
            }
            if (stop("RCPT") || !o.data() || !anyRecipient) {
                quit(client);
                return refused ? "REFUSED" : "PASSED";
            }
            begin("DATA");
            var data = client.data();
            if (data.code() != 354) {
                replyStep("DATA", data, 354);
                quit(client);
                return "REFUSED";
            }
            listener.waiting(Messages.text("waiting.data"));
            Reply done = client.sendContent(new ByteArrayInputStream(testMessage().getBytes(StandardCharsets.UTF_8)));
            var dataMeaning = new ArrayList<>(meaning(data));
            dataMeaning.addAll(meaning(done));
            boolean ok = done.code() == 250;
            if (ok) {
                sentAt = java.time.Instant.now();
                queueId = String.join(" ", done.lines());
                dataMeaning.add(Messages.text("data.queued", queueId));
            }
            end("DATA", ok ? "PASS" : "FAIL", dataMeaning, ok ? List.of() : Explanations.reasons("DATA", done),
                    ok ? Map.of("queued", queueId) : Map.of());
            quit(client);
            return ok && !refused ? "PASSED" : "REFUSED";
        } catch (IOException e) {
            String name = currentStep == null ? "SESSION" : currentStep;
            end(name, "FAIL", List.of(Messages.text("session.lost", name, describe(e))),
                    List.of(Messages.text("session.lost.reason")), Map.of());
            return "REFUSED";
        }
    }

    private boolean starttls(SmtpClient client) throws IOException {
        String mode = o.starttls() == null ? "auto" : o.starttls();
        boolean offered = client.capabilities().startTls();
        if (mode.equals("never") || (!offered && mode.equals("auto"))) {
            if (!offered) {
                var remote = client.remote();
                sessionTls = new MxTlsStep.Peer.NoStartTls(connectedHost + " [" + remote.getAddress().getHostAddress()
                        + "]:" + remote.getPort());
                begin("STARTTLS");
                end("STARTTLS", "WARN", List.of(Messages.text("starttls.notOffered")), List.of(), Map.of());
            }
            return true;
        }
        begin("STARTTLS");
        if (!offered) {
            end("STARTTLS", "FAIL", List.of(Messages.text("starttls.required")),
                    List.of(Messages.text("starttls.required.reason")), Map.of());
            return false;
        }
        var factory = capturingContext().getSocketFactory();
        Reply reply;
        try {
            reply = client.startTls(factory, connectedHost);
        } catch (IOException e) {
            end("STARTTLS", "FAIL", List.of(NetworkErrors.describe(e) + "."),
                    List.of(Messages.text("starttls.handshake.reason.1"), Messages.text("starttls.handshake.reason.2")),
                    Map.of());
            return false;
        }
        if (reply.code() != 220) {
            replyStep("STARTTLS", reply, 220);
            return false;
        }
        var session = client.tlsSocket().getSession();
        var details = new LinkedHashMap<String, Object>();
        var meaning = new ArrayList<>(meaning(reply));
        details.put("protocol", session.getProtocol());
        details.put("cipher", session.getCipherSuite());
        meaning.add(Messages.text("starttls.encrypted", session.getProtocol(), session.getCipherSuite()));
        String status = "PASS";
        if (peerChain != null && peerChain.length > 0) {
            var leaf = peerChain[0];
            details.put("subject", leaf.getSubjectX500Principal().getName());
            details.put("issuer", leaf.getIssuerX500Principal().getName());
            details.put("notBefore", leaf.getNotBefore().toInstant().toString());
            details.put("notAfter", leaf.getNotAfter().toInstant().toString());
            var sans = new ArrayList<String>();
            try {
                if (leaf.getSubjectAlternativeNames() != null) {
                    for (var n : leaf.getSubjectAlternativeNames()) {
                        sans.add(String.valueOf(n.get(1)));
                    }
                }
            } catch (java.security.cert.CertificateParsingException e) {
                sans.add(Messages.text("starttls.unreadableName"));
            }
            details.put("subjectAltNames", sans);
            boolean nameMatches = sans.stream().anyMatch(s -> matches(s, connectedHost));
            boolean trusted = trusted(peerChain);
            details.put("nameMatches", nameMatches);
            details.put("trusted", trusted);
            meaning.add(Messages.text("starttls.certificate", leaf.getSubjectX500Principal().getName(),
                    leaf.getIssuerX500Principal().getName(), leaf.getNotBefore().toInstant(),
                    leaf.getNotAfter().toInstant()));
            meaning.add(Messages.text(nameMatches ? "starttls.names.match" : "starttls.names.mismatch",
                    String.join(", ", sans), connectedHost));
            meaning.add(Messages.text(trusted ? "starttls.trusted" : "starttls.untrusted"));
            if (!trusted || !nameMatches) {
                status = "WARN";
            }
        }
        if (peerChain != null && peerChain.length > 0) {
            var remote = client.remote();
            sessionTls = new MxTlsStep.Peer.Tls(List.of(peerChain), connectedHost + " [" + remote.getAddress()
                    .getHostAddress() + "]:" + remote.getPort());
        }
        var again = client.ehlo(o.helo());
        meaning.add(Messages.text("starttls.ehloAgain", again.code()));
        end("STARTTLS", status, meaning, List.of(), details);
        return true;
    }

    private String quit(SmtpClient client) {
        try {
            begin("QUIT");
            var r = client.command("QUIT", o.timeout());
            end("QUIT", r.code() == 221 ? "PASS" : "WARN", meaning(r), List.of(), Map.of());
        } catch (IOException e) {
            end("QUIT", "WARN", List.of(Messages.text("quit.closed", NetworkErrors.describe(e))), List.of(), Map.of());
        }
        return "PASSED";
    }

    // ---- Helpers --------------------------------------------------------------------------

    /**
     * The probe's resolver: --dns-server or the system's, each try bounded by the step timeout
     * (at most {@link #DNS_TRY_LIMIT}, so that a silent server does not hold a step for
     * minutes), with a cache for the run.
     */
    private DnsResolver resolver() {
        if (resolver == null) {
            var b = DnsjavaResolver.builder();
            if (o.dnsServer() != null) {
                b.server(o.dnsServer());
            } else {
                b.systemServers();
            }
            if (o.tlsPolicy().dnssecTrustAnchor() != null) {
                b.trustAnchors(o.tlsPolicy().dnssecTrustAnchor());
            }
            var perTry = o.timeout().compareTo(DNS_TRY_LIMIT) < 0 ? o.timeout() : DNS_TRY_LIMIT;
            resolver = new CachingResolver(b.timeout(perTry).build());
        }
        return resolver;
    }

    private static final Duration DNS_TRY_LIMIT = Duration.ofSeconds(5);

    private String currentStep;

    private void begin(String name) {
        currentStep = name;
        stepStart = System.nanoTime();
        exchange.clear();
        listener.waiting(name);
    }

    private void end(String name, String status, List<String> meaning, List<String> reasons,
                     Map<String, Object> details) {
        long ms = (System.nanoTime() - stepStart) / 1_000_000;
        var step = new ProbeStep(name, status, ms, List.copyOf(exchange), List.copyOf(meaning), List.copyOf(reasons),
                details);
        steps.add(step);
        listener.step(step);
        exchange.clear();
        currentStep = null;
    }

    /** A step decided by one reply: PASS when its code is expected, FAIL with reasons otherwise. */
    private boolean replyStep(String name, Reply r, int... expected) {
        boolean ok = false;
        for (int e : expected) {
            ok |= r.code() == e;
        }
        end(name, ok ? "PASS" : "FAIL", meaning(r), ok ? List.of() : Explanations.reasons(name, r), Map.of());
        return ok;
    }

    static List<String> meaning(Reply r) {
        var list = new ArrayList<String>();
        list.add(r.code() + ": " + Explanations.firstDigit(r.code()));
        if (r.status() != null) {
            list.add(StatusCatalogue.describe(r.status()));
        }
        return list;
    }

    /** Each extension in the order the server listed it, in words. */
    static List<String> capabilities(Capabilities c, List<String> ehloLines) {
        var list = new ArrayList<String>();
        for (int i = 1; i < ehloLines.size(); i++) {
            String[] words = ehloLines.get(i).trim().split("\\s+");
            String k = words[0].toUpperCase(Locale.ROOT);
            if (k.isEmpty()) {
                continue;
            }
            list.add(switch (k) {
                case "SIZE" -> Messages.text("ehlo.SIZE", c.size() == 0 ? Messages.text("ehlo.SIZE.any")
                        : Messages.text("ehlo.SIZE.limit", Messages.decimal(c.size() / 1048576.0),
                        c.size()));
                case "AUTH" -> Messages.text("ehlo.AUTH", String.join(" ", c.authMechanisms()));
                case "PIPELINING", "DSN", "ENHANCEDSTATUSCODES", "STARTTLS", "8BITMIME", "BINARYMIME", "CHUNKING",
                     "SMTPUTF8" -> Messages.text("ehlo." + k);
                default -> Messages.text("ehlo.other", k);
            });
        }
        return list;
    }

    private boolean stop(String stage) {
        return o.quitAfter() != null && o.quitAfter().equalsIgnoreCase(stage);
    }

    private String testMessage() {
        messageId = "<" + UUID.randomUUID() + "@" + o.helo() + ">";
        String fromDomain = o.from().contains("@") ? o.from().substring(o.from().indexOf('@') + 1) : o.from();
        return "From: <" + o.from() + ">\r\nTo: " + String.join(", ", o.to().stream().map(t -> "<" + t + ">").toList())
                + "\r\nSubject: Test from " + fromDomain + "\r\nDate: "
                + Reply.RFC_5322_DATE.format(ZonedDateTime.now()) + "\r\nMessage-ID: " + messageId
                + "\r\n\r\nThis is a test message\r\n";
    }

    private ClientTimeouts timeouts() {
        return ClientTimeouts.uniform(o.timeout());
    }

    private TranscriptListener recorder() {
        return new TranscriptListener() {
            @Override
            public void line(Direction d, String t) {
                String line = switch (d) {
                    case SENT -> "C: " + t;
                    case RECEIVED -> "S: " + t;
                    case INFO -> "* " + t;
                };
                exchange.add(line);
                transcript.add(line);
            }

            @Override
            public void content(long octets) {
                line(Direction.SENT, Messages.text("transcript.content", octets));
            }
        };
    }

    /** A TLS context that accepts any certificate but keeps it, so the step can report on it. */
    private SSLContext capturingContext() {
        return dev.mailflow.client.OpportunisticTls.context(chain -> peerChain = chain);
    }

    private static boolean trusted(X509Certificate[] chain) {
        try {
            var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init((KeyStore) null);
            for (var tm : tmf.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) {
                    x.checkServerTrusted(chain, "ECDHE_ECDSA".equals(chain[0].getPublicKey().getAlgorithm())
                            ? "ECDHE_ECDSA" : "UNKNOWN");
                    return true;
                }
            }
        } catch (Exception e) {
            return false;
        }
        return false;
    }

    static boolean matches(String san, String host) {
        String s = san.toLowerCase(Locale.ROOT);
        String h = host.toLowerCase(Locale.ROOT);
        if (s.startsWith("*.")) {
            return h.endsWith(s.substring(1)) && h.indexOf('.') == h.length() - s.length() + 1;
        }
        return s.equals(h);
    }

    private static List<String> text(List<InetAddress> addresses) {
        return addresses.stream().map(InetAddress::getHostAddress).toList();
    }
}
