package dev.mailflow.delivery.remote;

import dev.mailflow.client.Capabilities;
import dev.mailflow.client.NetworkErrors;
import dev.mailflow.client.SmtpClient;
import dev.mailflow.client.TranscriptListener;
import dev.mailflow.delivery.Router;
import dev.mailflow.delivery.TraceHeaders;
import dev.mailflow.delivery.signing.OutboundSigner;
import dev.mailflow.delivery.tls.HostDecision;
import dev.mailflow.delivery.tls.HostPolicy;
import dev.mailflow.delivery.tls.TlsPolicyFinder;
import dev.mailflow.delivery.tls.TlsReporter;
import dev.mailflow.queue.DeliveryAgent;
import dev.mailflow.queue.DeliveryCodes;
import dev.mailflow.queue.DeliveryOutcome;
import dev.mailflow.queue.QueuedMessage;
import dev.mailflow.queue.RecipientState;
import dev.mailflow.queue.RemoteReply;
import dev.mailflow.queue.TlsSummary;
import dev.mailflow.smtp.BodyType;
import dev.mailflow.smtp.Domains;
import dev.mailflow.smtp.DsnNotify;
import dev.mailflow.smtp.EnhancedStatus;
import dev.mailflow.smtp.Reply;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.stream.Collectors;
import javax.net.ssl.SSLSocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers to other servers: per domain, MX lookup, then the MX hosts in order with the SMTP
 * client. Recipients get their own outcome from the replies: 2xx delivered, 5xx failed, 4xx
 * and connection failures tried at the next MX and then deferred (style.md, principle 6).
 *
 * <p>An outcome keeps the peer's reply apart from our reason ({@link RemoteReply}); its status
 * is the reply's, the reply code's class winning over an enhanced code that disagrees
 * ({@code 450 5.1.1} is deferred with 4.0.0, RFC 3463 2, as Postfix does). A reply of the
 * wrong class for the command (a 3xx to RCPT) is a protocol error, deferred with 4.5.0. A
 * failure with no reply (DNS, connect, TLS, a lost connection) has our reason only, in
 * Postfix's words ({@code connect to mx.example.net[192.0.2.1]:25: Connection refused}), so a
 * DSN never dresses it up as an SMTP reply (RFC 3464 2.3.6). Mail through a send connector
 * says so in front of every reason: {@code send connector "Smarthost" (smtp.example.net:587): ...}.
 *
 * <p>What goes out is, top to bottom: the {@link OutboundSigner}'s fields (DKIM-Signature, RFC
 * 6376 5.6), our Received field, then the form of the message the next hop takes (as queued,
 * or converted to 7 bits, {@link OutgoingForms}), which is what the signer signed. Each form is
 * made and signed once per delivery attempt, whatever the number of domains and next hops.
 */
public final class RemoteDelivery implements Router.Remote {

    private static final Logger LOG = LoggerFactory.getLogger(RemoteDelivery.class);

    private final RemoteConfig config;
    private final MxResolver resolver;
    private final Set<InetSocketAddress> ownListeners;
    private final ZoneId zone;
    private final Semaphore connections;
    private final Map<InetAddress, Semaphore> perHost = new ConcurrentHashMap<>();
    private final SSLSocketFactory tls;
    private final ConnectionCache cache = new ConnectionCache();
    private final OutboundSigner signer;
    private final TlsPolicyFinder tlsPolicy;
    private final TlsReporter tlsReporter;
    private final TlsUpgrade tlsUpgrade;

    /** Closes the sessions kept for reuse. */
    public void close() {
        cache.closeAll();
    }

    /**
     * @param signer      what vouches for outgoing mail (DKIM), called once per form of a message
     * @param tlsPolicy   what each destination's TLS must prove (DANE, MTA-STS, the operator's levels)
     * @param tlsReporter hears the outcome of each TLS policy check, for TLS-RPT (RFC 8460)
     */
    public RemoteDelivery(RemoteConfig config, MxResolver resolver, Set<InetSocketAddress> ownListeners, ZoneId zone,
                          OutboundSigner signer, TlsPolicyFinder tlsPolicy, TlsReporter tlsReporter) {
        this.config = config;
        this.tlsPolicy = tlsPolicy;
        this.tlsReporter = tlsReporter;
        this.signer = signer;
        this.resolver = resolver;
        this.ownListeners = Set.copyOf(ownListeners);
        this.zone = zone;
        this.connections = new Semaphore(config.maxConnections());
        this.tls = trustAll();
        this.tlsUpgrade = new TlsUpgrade(tls, config.hostname(), tlsReporter);
    }

    /**
     * TLS that takes any certificate chain: opportunistic TLS (RFC 3207 4.1, RFC 7435) does not
     * authenticate the peer, and the policies that do check the chain after the handshake
     * ({@link TlsUpgrade}).
     */
    private static SSLSocketFactory trustAll() {
        return dev.mailflow.client.OpportunisticTls.context(chain -> { }).getSocketFactory();
    }

    @Override
    public Map<Integer, DeliveryOutcome> deliver(QueuedMessage message, List<Integer> recipients,
                                                 DeliveryAgent.Content content) {
        var byDomain = new LinkedHashMap<String, List<Integer>>();
        var all = message.status().recipients();
        for (int i : recipients) {
            byDomain.computeIfAbsent(Domains.canonical(all.get(i).address().domain()), d -> new ArrayList<>()).add(i);
        }
        var outcomes = new HashMap<Integer, DeliveryOutcome>();
        ContentInfo info;
        try (InputStream in = content.open()) {
            info = ContentInfo.scan(in);
        } catch (IOException e) {
            for (int i : recipients) {
                outcomes.put(i, new DeliveryOutcome.Deferred(DeliveryCodes.LOCAL_ERROR,
                        "cannot read the queued message (the server log has the details)"));
            }
            LOG.error("message {}: cannot read the queued message: {}", message.id(), e.toString());
            return outcomes;
        }
        var forms = new OutgoingForms(message, content, signer, zone);
        for (var entry : byDomain.entrySet()) {
            outcomes.putAll(deliverToDomain(message, entry.getKey(), entry.getValue(), forms, info));
        }
        return outcomes;
    }

    /** One domain's recipients; through a send connector, every reason names it. */
    private Map<Integer, DeliveryOutcome> deliverToDomain(QueuedMessage message, String domain, List<Integer> indexes,
                                                          OutgoingForms forms, ContentInfo info) {
        var smart = SendConnector.forDomain(config.sendConnectors(), domain);
        var outcomes = deliverToDomain(message, domain, indexes, forms, info, smart);
        if (smart != null) {
            String context = "send connector \"" + smart.name() + "\" (" + smart.host() + ":" + smart.port() + "): ";
            outcomes.replaceAll((i, o) -> o.within(context));
        }
        return outcomes;
    }

    private Map<Integer, DeliveryOutcome> deliverToDomain(QueuedMessage message, String domain, List<Integer> indexes,
                                                          OutgoingForms forms, ContentInfo info,
                                                          SendConnector smart) {
        var result = smart != null ? resolver.smartHost(smart.host()) : resolver.resolve(domain);
        DeliveryOutcome all = switch (result) {
            case MxResolver.NullMx n -> new DeliveryOutcome.Failed(DeliveryCodes.NULL_MX,
                    domain + " accepts no mail (null MX, RFC 7505)");
            case MxResolver.NoSuchDomain d -> new DeliveryOutcome.Failed(DeliveryCodes.NO_SUCH_DOMAIN, d.detail());
            case MxResolver.TempFailure t -> new DeliveryOutcome.Deferred(DeliveryCodes.DNS_FAILURE, t.detail());
            case MxResolver.Hosts h -> smart != null ? null : loop(domain, h.hosts());
        };
        if (all != null) {
            return fill(indexes, all);
        }
        var found = (MxResolver.Hosts) result;
        var hosts = found.hosts();
        var pending = new ArrayList<>(indexes);
        var outcomes = new HashMap<Integer, DeliveryOutcome>();
        var domainTls = smart != null ? tlsPolicy.forSmartHost(domain, smart.tls())
                : tlsPolicy.forDomain(domain, found.secure());
        boolean report = !isReport(message);
        if (report && domainTls.stsFetchError() != null) {
            tlsReporter.failure(new HostPolicy.ReportedPolicy("sts", domain, List.of()), null, null,
                    "sts-policy-fetch-error", domainTls.stsFetchError());
        }
        int port = smart != null ? smart.port() : config.port();
        String skipped = null;
        for (var host : hosts) {
            var decision = domainTls.host(host.name(), host.secure(), port);
            if (decision instanceof HostDecision.Skip skip) {
                LOG.info("message {}: {} skipped: {}", message.id(), host.name(), skip.reason());
                if (report && skip.report() != null) {
                    tlsReporter.failure(skip.report(), host.name(), null, skip.resultType(), skip.reason());
                }
                if (skipped == null) {
                    skipped = skip.reason();
                }
                continue;
            }
            var policy = ((HostDecision.Use) decision).policy();
            if (!report) {
                policy = new HostPolicy(policy.level(), policy.policy(), policy.check(), policy.enforce(), null);
            }
            for (var address : host.addresses()) {
                if (pending.isEmpty()) {
                    return outcomes;
                }
                var attempt = attempt(message, host.name(), new InetSocketAddress(address, port), pending, forms,
                        info, smart, policy);
                for (var e : attempt.entrySet()) {
                    if (e.getValue() instanceof DeliveryOutcome.Deferred d) {
                        outcomes.put(e.getKey(), d);
                    } else {
                        outcomes.put(e.getKey(), e.getValue());
                        pending.remove(e.getKey());
                    }
                }
            }
        }
        if (skipped != null) {
            // No host the policy allows was left (or those tried failed too): the policy's reason says why.
            var o = new DeliveryOutcome.Deferred(DeliveryCodes.TLS_POLICY, "TLS policy of " + domain + ": " + skipped);
            for (int i : pending) {
                if (!outcomes.containsKey(i)) {
                    outcomes.put(i, o);
                }
            }
        }
        return outcomes;
    }

    /** A TLS-RPT report on its way: its delivery is never itself reported (stalwartlabs/stalwart#1301). */
    private boolean isReport(QueuedMessage message) {
        return tlsReporter.isReport(message.envelope().sender().toString());
    }

    /** RFC 5321 5.1: the best MX is ourselves: the mail would loop. */
    private DeliveryOutcome loop(String domain, List<MxResolver.MxHost> hosts) {
        int best = hosts.get(0).preference();
        for (var h : hosts) {
            if (h.preference() != best) {
                break;
            }
            boolean us = h.name().equalsIgnoreCase(config.hostname());
            for (var a : h.addresses()) {
                var target = new InetSocketAddress(a, config.port());
                for (var own : ownListeners) {
                    if (own.getPort() == target.getPort()
                            && (own.getAddress().isAnyLocalAddress() || own.getAddress().equals(a))) {
                        us = true;
                    }
                }
            }
            if (us) {
                return new DeliveryOutcome.Failed(DeliveryCodes.LOOP, "mail for " + domain
                        + " loops back to myself (MX " + h.name() + ")");
            }
        }
        return null;
    }

    /** One SMTP session with one next-hop address, for the recipients still pending. */
    private Map<Integer, DeliveryOutcome> attempt(QueuedMessage message, String mx, InetSocketAddress address,
                                                  List<Integer> indexes, OutgoingForms forms,
                                                  ContentInfo info, SendConnector smart, HostPolicy policy) {
        var hostSlots = perHost.computeIfAbsent(address.getAddress(), a -> new Semaphore(config.maxConnectionsPerHost()));
        try {
            connections.acquire();
            try {
                hostSlots.acquire();
                try {
                    return session(message, mx, address, indexes, forms, info,
                            policy.level() != HostPolicy.Level.NONE, smart, true, policy);
                } finally {
                    hostSlots.release();
                }
            } finally {
                connections.release();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fill(indexes, new DeliveryOutcome.Deferred(DeliveryCodes.LOCAL_ERROR,
                    "interrupted: the server is stopping"));
        }
    }

    private Map<Integer, DeliveryOutcome> session(QueuedMessage message, String mx, InetSocketAddress address,
                                                  List<Integer> indexes, OutgoingForms forms,
                                                  ContentInfo info, boolean tryTls, SendConnector smart,
                                                  boolean reuse, HostPolicy policy) {
        var hop = Hop.of(mx, address);
        String where = hop.where();
        String cacheKey = address + "|" + mx + "|" + (smart == null ? "" : smart.name()) + "|" + tryTls + "|"
                + policy.policy();
        int[] uses = {0};
        SmtpClient cached = reuse ? cache.take(cacheKey, uses) : null;
        if (cached != null) {
            var r = transaction(message, hop, cached, indexes, forms, info, cacheKey, uses[0] + 1);
            if (r != null) {
                return r;
            }
            // The cached session had gone stale before MAIL: start a fresh one.
        }
        SmtpClient client;
        try {
            client = SmtpClient.connect(address, config.timeouts(), transcriptFor(message.id(), where));
        } catch (IOException e) {
            return fill(indexes, connectFailure(hop, e));
        }
        boolean handedOn = false;
        String stage = "the greeting";
        try {
            var greeting = client.greeting();
            if (greeting.code() != 220) {
                return fill(indexes, byReply(greeting, hop, "the connection (greeting)", true));
            }
            stage = "EHLO";
            var ehlo = client.ehlo(config.hostname());
            if (ehlo.code() != 250) {
                var helo = client.helo(config.hostname());
                if (helo.code() != 250) {
                    return fill(indexes, byReply(helo, hop, "our HELO", true));
                }
            }
            stage = "STARTTLS";
            var tlsResult = tlsUpgrade.upgrade(client, mx, hop, policy, smart != null, tryTls);
            if (tlsResult instanceof TlsUpgrade.Retry) {
                client.close();
                return session(message, mx, address, indexes, forms, info, false, smart, false, policy);
            }
            if (tlsResult instanceof TlsUpgrade.Refuse refuse) {
                client.quit();
                return fill(indexes, refuse.outcome());
            }
            client.attach(((TlsUpgrade.Proceed) tlsResult).summary());
            if (smart != null && smart.username() != null) {
                stage = "AUTH";
                var auth = client.authenticate(smart.username(), smart.password());
                if (auth.code() != 235) {
                    client.quit();
                    // Credentials are the operator's to fix: the message waits meanwhile.
                    var reply = RemoteReply.of(hop.host(), auth);
                    var status = auth.code() / 100 == 4 ? reply.status() : DeliveryCodes.CREDENTIALS_REFUSED;
                    return fill(indexes, new DeliveryOutcome.Deferred(status, where
                            + " refused the send connector's credentials (AUTH)", reply));
                }
            }
            handedOn = true;
            var r = transaction(message, hop, client, indexes, forms, info, cacheKey, 1);
            return r != null ? r : fill(indexes, new DeliveryOutcome.Deferred(DeliveryCodes.BAD_CONNECTION,
                    "lost connection with " + where + " before MAIL FROM"));
        } catch (IOException e) {
            return fill(indexes, sessionFailure(hop, stage, e));
        } finally {
            if (!handedOn) {
                client.close();
            }
        }
    }

    /**
     * One mail transaction on an open session; the session goes back to the cache after it,
     * or is closed. Null when the session was found dead before MAIL was answered (a cached
     * session the peer had closed): the caller opens a fresh one.
     */
    private Map<Integer, DeliveryOutcome> transaction(QueuedMessage message, Hop hop, SmtpClient client,
                                                      List<Integer> indexes, OutgoingForms forms,
                                                      ContentInfo info, String cacheKey, int uses) {
        var envelope = message.envelope();
        var rs = message.status().recipients();
        String where = hop.where();
        boolean mailAnswered = false;
        boolean keep = false;
        String stage = "MAIL FROM";
        try {
            Capabilities caps = client.capabilities();
            // What the next hop must support for this message.
            long size = envelope.size() + 512;
            if (caps.size() > 0 && size > caps.size()) {
                client.quit();
                return fill(indexes, new DeliveryOutcome.Failed(DeliveryCodes.TOO_BIG, "message size " + size
                        + " exceeds the limit of " + caps.size() + " octets that " + where + " announced"));
            }
            boolean utf8 = envelope.parameters().smtpUtf8() || envelope.sender().isInternationalized()
                    || indexes.stream().anyMatch(i -> rs.get(i).address().isInternationalized());
            if (utf8 && !caps.smtpUtf8()) {
                client.quit();
                return fill(indexes, new DeliveryOutcome.Failed(DeliveryCodes.UTF8_NOT_SUPPORTED,
                        "the message needs SMTPUTF8 and " + where + " does not offer it"));
            }
            boolean binaryBody = envelope.parameters().bodyOrDefault() == BodyType.BINARY_MIME;
            boolean useBdat = caps.chunking() && (info.needsBdat() || binaryBody);
            if ((binaryBody && !(caps.chunking() && caps.binaryMime())) || (info.longestLine() > 998 && !useBdat)) {
                client.quit();
                return fill(indexes, new DeliveryOutcome.Failed(DeliveryCodes.CONVERSION_NOT_SUPPORTED, "the message has "
                        + (binaryBody ? "binary content" : "lines over 998 octets") + " and " + where
                        + " does not offer CHUNKING" + (binaryBody ? " with BINARYMIME" : "")));
            }
            // RFC 6152 3: convert to 7 bits for a next hop without 8BITMIME, or give up clearly.
            boolean toSevenBit = info.eightBit() && !caps.eightBitMime();
            OutgoingForms.Form form;
            try {
                form = !toSevenBit ? forms.original() : binaryBody ? null : forms.sevenBit();
            } catch (IOException e) {
                client.quit();
                LOG.error("message {}: cannot read the queued message: {}", message.id(), e.toString());
                return fill(indexes, new DeliveryOutcome.Deferred(DeliveryCodes.LOCAL_ERROR,
                        "cannot read the queued message (the server log has the details)"));
            }
            if (form == null) {
                client.quit();
                return fill(indexes, new DeliveryOutcome.Failed(DeliveryCodes.CONVERSION_NOT_SUPPORTED,
                        "the message has 8-bit content that cannot be converted to 7 bits (8-bit headers need "
                        + "SMTPUTF8), and " + where + " does not offer 8BITMIME"));
            }
            if (toSevenBit) {
                info = new ContentInfo(false, info.binary(), info.longestLine());
            }
            size = form.signature().length + form.belowTraceSize() + 512L;
            String mailParams = mailParameters(message, caps, info, binaryBody, size, utf8);
            var commands = new ArrayList<String>();
            commands.add("MAIL FROM:" + envelope.sender().toPath() + mailParams);
            for (int i : indexes) {
                commands.add("RCPT TO:" + rs.get(i).address().toPath() + rcptParameters(rs.get(i), caps));
            }
            List<Reply> replies;
            if (caps.pipelining()) {
                if (!useBdat) {
                    commands.add("DATA");
                }
                replies = client.pipeline(commands);
            } else {
                replies = new ArrayList<>();
                for (String c : commands) {
                    var r = client.command(c, config.timeouts().command());
                    replies.add(r);
                    if (replies.size() == 1 && r.code() != 250) {
                        break;
                    }
                }
            }
            var mail = replies.get(0);
            mailAnswered = true;
            if (mail.code() != 250) {
                client.quit();
                return fill(indexes, byReply(mail, hop, "the sender (MAIL FROM)", false));
            }
            var outcomes = new HashMap<Integer, DeliveryOutcome>();
            var accepted = new ArrayList<Integer>();
            for (int k = 0; k < indexes.size(); k++) {
                var r = replies.get(k + 1);
                if (r.code() / 100 == 2) {
                    accepted.add(indexes.get(k));
                } else {
                    outcomes.put(indexes.get(k), byReply(r, hop, "the recipient (RCPT TO)", false));
                }
            }
            stage = useBdat ? "BDAT" : "DATA";
            Reply end;
            if (useBdat) {
                if (accepted.isEmpty()) {
                    client.quit();
                    return outcomes;
                }
                byte[] head = headers(message, accepted, form);
                stage = "the message content";
                try (InputStream in = form.belowTrace()) {
                    end = client.bdatLast(new SequenceInputStream(new ByteArrayInputStream(head), in),
                            head.length + form.belowTraceSize());
                }
            } else {
                Reply dataReply = caps.pipelining() ? replies.get(replies.size() - 1)
                        : accepted.isEmpty() ? null : client.data();
                if (accepted.isEmpty()) {
                    if (dataReply != null && dataReply.code() == 354) {
                        client.sendContent(InputStream.nullInputStream());
                    }
                    client.quit();
                    return outcomes;
                }
                if (dataReply.code() != 354) {
                    client.quit();
                    var o = byReply(dataReply, hop, "the message (DATA)", false);
                    accepted.forEach(i -> outcomes.put(i, o));
                    return outcomes;
                }
                byte[] head = headers(message, accepted, form);
                stage = "the message content";
                try (InputStream in = form.belowTrace()) {
                    end = client.sendContent(new SequenceInputStream(new ByteArrayInputStream(head), in));
                }
            }
            var endReply = RemoteReply.of(hop.host(), end);
            DeliveryOutcome o = end.code() / 100 == 2
                    ? new DeliveryOutcome.Delivered(endReply.status(), where + " accepted the message", endReply,
                            caps.dsn(), client.attachment() instanceof TlsSummary t ? t : null)
                    : byReply(end, hop, "the message", false);
            accepted.forEach(i -> outcomes.put(i, o));
            keep = end.code() != 421;
            return outcomes;
        } catch (IOException e) {
            if (!mailAnswered && uses > 1) {
                return null;
            }
            // A connection lost or timed out mid-session: nothing was accepted for sure.
            return fill(indexes, sessionFailure(hop, stage, e));
        } finally {
            if (keep) {
                cache.give(cacheKey, client, uses);
            } else {
                client.close();
            }
        }
    }

    private String mailParameters(QueuedMessage message, Capabilities caps, ContentInfo info, boolean binaryBody,
                                  long size, boolean utf8) {
        var p = message.envelope().parameters();
        var sb = new StringBuilder();
        if (caps.size() > 0 || caps.has("SIZE")) {
            sb.append(" SIZE=").append(size);
        }
        if (binaryBody) {
            sb.append(" BODY=BINARYMIME");
        } else if (info.eightBit()) {
            if (caps.eightBitMime()) {
                sb.append(" BODY=8BITMIME");
            }
        }
        if (utf8) {
            sb.append(" SMTPUTF8");
        }
        if (caps.dsn()) {
            if (p.ret() != null) {
                sb.append(" RET=").append(p.ret().name());
            }
            if (p.envId() != null) {
                sb.append(" ENVID=").append(p.envId());
            }
        }
        return sb.toString();
    }

    /** NOTIFY and ORCPT passed on to a next hop that offers DSN (RFC 3461 4.1, 4.2). */
    private static String rcptParameters(RecipientState r, Capabilities caps) {
        if (!caps.dsn()) {
            return "";
        }
        var sb = new StringBuilder();
        var notify = r.parameters().notifyOn();
        if (notify != null) {
            sb.append(" NOTIFY=").append(notify.stream().sorted().map(DsnNotify::name)
                    .collect(Collectors.joining(",")));
        }
        String orcpt = r.parameters().orcpt();
        if (orcpt == null) {
            orcpt = "rfc822;" + dev.mailflow.smtp.Xtext.encode(r.original().toString());
        }
        sb.append(" ORCPT=").append(orcpt);
        return sb.toString();
    }

    /**
     * What goes in front of the form's bytes: the signer's fields (DKIM-Signature), then our
     * Received field and the fields our receiving checks added (Authentication-Results, under
     * the Received of the same hop, RFC 8601 5), which the signatures do not cover (Received
     * names the recipient when there is one, so it differs per transaction). RFC 6376 5.6: the
     * signature is prepended.
     */
    private byte[] headers(QueuedMessage message, List<Integer> accepted, OutgoingForms.Form form) {
        var e = message.envelope();
        var rcpt = accepted.size() == 1 ? message.status().recipients().get(accepted.get(0)).original() : null;
        byte[] trace = (TraceHeaders.received(e, config.hostname(), rcpt, zone) + TraceHeaders.added(e))
                .getBytes(StandardCharsets.UTF_8);
        byte[] head = java.util.Arrays.copyOf(form.signature(), form.signature().length + trace.length);
        System.arraycopy(trace, 0, head, form.signature().length, trace.length);
        return head;
    }

    /**
     * The next hop as reasons name it, Postfix's way: {@code mx.example.net[192.0.2.1]:25}.
     *
     * @param host the name for Remote-MTA: the MX or smart host name, or the bare address of an
     *             address literal ({@code [192.0.2.1]} is {@code 192.0.2.1})
     */
    record Hop(String host, String where) {
        static Hop of(String mx, InetSocketAddress address) {
            String host = mx;
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
                if (host.regionMatches(true, 0, "IPv6:", 0, 5)) {
                    host = host.substring(5);
                }
            }
            InetAddress a = address.getAddress();
            String ip = a instanceof Inet6Address ? a.getHostAddress().replaceFirst("%.*$", "") : a.getHostAddress();
            return new Hop(host.toLowerCase(Locale.ROOT), host.toLowerCase(Locale.ROOT) + "[" + ip + "]:"
                    + address.getPort());
        }
    }

    /**
     * A refusal's outcome: 4xx deferred, 5xx failed, each with the reply kept as it was said.
     * {@code whole} for the greeting or HELO: a 5xx there refuses the connection, not the
     * message, so it is deferred (the next MX, or later) with the transient form of its code.
     * A reply of class 2 or 3 where a refusal was the only other answer is a protocol error.
     *
     * @param what what the peer refused, for the reason: "the recipient (RCPT TO)"
     */
    private static DeliveryOutcome byReply(Reply r, Hop hop, String what, boolean whole) {
        var reply = RemoteReply.of(hop.host(), r);
        int k = r.code() / 100;
        if (k != EnhancedStatus.TRANSIENT && k != EnhancedStatus.PERMANENT) {
            return new DeliveryOutcome.Deferred(DeliveryCodes.PROTOCOL_ERROR, hop.where() + " answered "
                    + what + " out of protocol", reply);
        }
        String refused = k == EnhancedStatus.PERMANENT ? " refused " : " temporarily refused ";
        if (k == EnhancedStatus.PERMANENT && !whole) {
            return new DeliveryOutcome.Failed(reply.status(), hop.where() + refused + what, reply);
        }
        return new DeliveryOutcome.Deferred(reply.status().withClass(EnhancedStatus.TRANSIENT),
                hop.where() + refused + what, reply);
    }

    /** RFC 3463 X.4.1 "No answer from host": the TCP connection could not be opened. */
    private static DeliveryOutcome connectFailure(Hop hop, IOException e) {
        return new DeliveryOutcome.Deferred(DeliveryCodes.NO_ANSWER, "connect to " + hop.where() + ": "
                + NetworkErrors.describe(e));
    }

    /** RFC 3463 X.4.2 "Bad connection": it broke, or went silent, during the session. */
    private static DeliveryOutcome sessionFailure(Hop hop, String stage, IOException e) {
        String reason = NetworkErrors.isTimeout(e) ? "conversation with " + hop.where() + " timed out during " + stage
                : "lost connection with " + hop.where() + " during " + stage + ": " + NetworkErrors.describe(e);
        return new DeliveryOutcome.Deferred(DeliveryCodes.BAD_CONNECTION, reason);
    }

    private static Map<Integer, DeliveryOutcome> fill(List<Integer> indexes, DeliveryOutcome o) {
        var m = new HashMap<Integer, DeliveryOutcome>();
        for (int i : indexes) {
            m.put(i, o);
        }
        return m;
    }

    private static TranscriptListener transcriptFor(long id, String where) {
        if (!LOG.isTraceEnabled()) {
            return TranscriptListener.NONE;
        }
        return (d, t) -> LOG.trace("{} {} {} {}", id, where, d == TranscriptListener.Direction.SENT ? ">" : "<", t);
    }
}
