package dev.mailflow.delivery.remote;

import dev.mailflow.client.Capabilities;
import dev.mailflow.client.SmtpClient;
import dev.mailflow.client.TranscriptListener;
import dev.mailflow.delivery.Router;
import dev.mailflow.delivery.TraceHeaders;
import dev.mailflow.queue.DeliveryAgent;
import dev.mailflow.queue.DeliveryOutcome;
import dev.mailflow.queue.QueuedMessage;
import dev.mailflow.queue.RecipientState;
import dev.mailflow.smtp.BodyType;
import dev.mailflow.smtp.Domains;
import dev.mailflow.smtp.DsnNotify;
import dev.mailflow.smtp.Reply;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.stream.Collectors;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers to other servers: per domain, MX lookup, then the MX hosts in order with the SMTP
 * client. Recipients get their own outcome from the replies: 2xx delivered, 5xx failed, 4xx
 * and connection failures tried at the next MX and then deferred (style.md, principle 6).
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

    /** Closes the sessions kept for reuse. */
    public void close() {
        cache.closeAll();
    }

    public RemoteDelivery(RemoteConfig config, MxResolver resolver, Set<InetSocketAddress> ownListeners, ZoneId zone) {
        this.config = config;
        this.resolver = resolver;
        this.ownListeners = Set.copyOf(ownListeners);
        this.zone = zone;
        this.connections = new Semaphore(config.maxConnections());
        this.tls = trustAll();
    }

    /** Opportunistic TLS (RFC 3207 4.1, RFC 7435): encrypt, do not authenticate the peer. */
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
                outcomes.put(i, new DeliveryOutcome.Deferred("4.3.0", "cannot read the queued message: " + e));
            }
            return outcomes;
        }
        for (var entry : byDomain.entrySet()) {
            outcomes.putAll(deliverToDomain(message, entry.getKey(), entry.getValue(), content, info));
        }
        return outcomes;
    }

    private Map<Integer, DeliveryOutcome> deliverToDomain(QueuedMessage message, String domain, List<Integer> indexes,
                                                          DeliveryAgent.Content content, ContentInfo info) {
        var smart = SendConnector.forDomain(config.sendConnectors(), domain);
        var result = smart != null ? resolver.smartHost(smart.host()) : resolver.resolve(domain);
        DeliveryOutcome all = switch (result) {
            case MxResolver.NullMx n -> new DeliveryOutcome.Failed("5.1.10",
                    "Recipient address rejected: " + domain + " accepts no mail (null MX, RFC 7505)");
            case MxResolver.NoSuchDomain d -> new DeliveryOutcome.Failed("5.1.2", "Host or domain name not found: "
                    + d.detail());
            case MxResolver.TempFailure t -> new DeliveryOutcome.Deferred("4.4.3", "DNS: " + t.detail());
            case MxResolver.Hosts h -> smart != null ? null : loop(domain, h.hosts());
        };
        if (all != null) {
            return fill(indexes, all);
        }
        var hosts = ((MxResolver.Hosts) result).hosts();
        var pending = new ArrayList<>(indexes);
        var outcomes = new HashMap<Integer, DeliveryOutcome>();
        for (var host : hosts) {
            for (var address : host.addresses()) {
                if (pending.isEmpty()) {
                    return outcomes;
                }
                int port = smart != null ? smart.port() : config.port();
                var attempt = attempt(message, host.name(), new InetSocketAddress(address, port), pending, content,
                        info, smart);
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
        return outcomes;
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
                return new DeliveryOutcome.Failed("5.4.6", "mail for " + domain + " loops back to myself (MX "
                        + h.name() + ")");
            }
        }
        return null;
    }

    /** One SMTP session with one next-hop address, for the recipients still pending. */
    private Map<Integer, DeliveryOutcome> attempt(QueuedMessage message, String mx, InetSocketAddress address,
                                                  List<Integer> indexes, DeliveryAgent.Content content,
                                                  ContentInfo info, SendConnector smart) {
        var hostSlots = perHost.computeIfAbsent(address.getAddress(), a -> new Semaphore(config.maxConnectionsPerHost()));
        try {
            connections.acquire();
            try {
                hostSlots.acquire();
                try {
                    return session(message, mx, address, indexes, content, info,
                            config.startTls() || (smart != null && smart.requireTls()), smart, true);
                } finally {
                    hostSlots.release();
                }
            } finally {
                connections.release();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fill(indexes, new DeliveryOutcome.Deferred("4.3.0", "interrupted (server stopping)"));
        }
    }

    private Map<Integer, DeliveryOutcome> session(QueuedMessage message, String mx, InetSocketAddress address,
                                                  List<Integer> indexes, DeliveryAgent.Content content,
                                                  ContentInfo info, boolean tryTls, SendConnector smart,
                                                  boolean reuse) {
        String where = mx + "[" + address.getAddress().getHostAddress() + "]:" + address.getPort();
        String cacheKey = address + "|" + (smart == null ? "" : smart.name()) + "|" + tryTls;
        int[] uses = {0};
        SmtpClient cached = reuse ? cache.take(cacheKey, uses) : null;
        if (cached != null) {
            var r = transaction(message, mx, where, cached, indexes, content, info, cacheKey, uses[0] + 1);
            if (r != null) {
                return r;
            }
            // The cached session had gone stale before MAIL: start a fresh one.
        }
        SmtpClient client;
        try {
            client = SmtpClient.connect(address, config.timeouts(), transcriptFor(message.id(), where));
        } catch (IOException e) {
            return fill(indexes, connectFailure(where, e));
        }
        boolean handedOn = false;
        try {
            var greeting = client.greeting();
            if (greeting.code() != 220) {
                return fill(indexes, byReply(greeting, where, true));
            }
            var ehlo = client.ehlo(config.hostname());
            if (ehlo.code() != 250) {
                var helo = client.helo(config.hostname());
                if (helo.code() != 250) {
                    return fill(indexes, byReply(helo, where, true));
                }
            }
            boolean tlsRequired = smart != null && smart.requireTls();
            if (tryTls && client.capabilities().startTls()) {
                try {
                    var reply = client.startTls(tls, mx);
                    if (reply.code() == 220) {
                        client.ehlo(config.hostname());
                        LOG.debug("TLS to {}: {}", where, client.tlsSocket().getSession().getProtocol());
                    }
                } catch (SSLException e) {
                    if (tlsRequired) {
                        return fill(indexes, new DeliveryOutcome.Deferred("4.7.0", where
                                + ": TLS handshake failed and the send connector requires TLS: " + e.getMessage(), mx));
                    }
                    LOG.info("TLS handshake with {} failed ({}); trying again without TLS", where, e.getMessage());
                    client.close();
                    return session(message, mx, address, indexes, content, info, false, smart, false);
                }
            }
            if (tlsRequired && !client.isTls()) {
                client.quit();
                return fill(indexes, new DeliveryOutcome.Deferred("4.7.0", where
                        + " does not offer STARTTLS and the send connector '" + smart.name() + "' requires TLS", mx));
            }
            if (smart != null && smart.username() != null) {
                var auth = client.authenticate(smart.username(), smart.password());
                if (auth.code() != 235) {
                    client.quit();
                    // Credentials are the operator's to fix: the message waits meanwhile.
                    return fill(indexes, new DeliveryOutcome.Deferred(auth.code() / 100 == 4 ? status(auth, "4.7.0")
                            : "4.7.8", where + " refused the send connector's credentials: " + auth.firstLine(), mx));
                }
            }
            handedOn = true;
            var r = transaction(message, mx, where, client, indexes, content, info, cacheKey, 1);
            return r != null ? r : fill(indexes, connectFailure(where, new IOException("connection lost before MAIL")));
        } catch (IOException e) {
            return fill(indexes, connectFailure(where, e));
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
    private Map<Integer, DeliveryOutcome> transaction(QueuedMessage message, String mx, String where, SmtpClient client,
                                                      List<Integer> indexes, DeliveryAgent.Content content,
                                                      ContentInfo info, String cacheKey, int uses) {
        var envelope = message.envelope();
        var rs = message.status().recipients();
        boolean mailAnswered = false;
        boolean keep = false;
        try {
            Capabilities caps = client.capabilities();
            // What the next hop must support for this message.
            long size = envelope.size() + 512;
            long contentSize = envelope.size();
            if (caps.size() > 0 && size > caps.size()) {
                client.quit();
                return fill(indexes, new DeliveryOutcome.Failed("5.3.4", "message size " + size
                        + " exceeds the limit of " + caps.size() + " at " + where, mx));
            }
            boolean utf8 = envelope.parameters().smtpUtf8() || envelope.sender().isInternationalized()
                    || indexes.stream().anyMatch(i -> rs.get(i).address().isInternationalized());
            if (utf8 && !caps.smtpUtf8()) {
                client.quit();
                return fill(indexes, new DeliveryOutcome.Failed("5.6.7", "the message needs SMTPUTF8 and " + where
                        + " does not offer it", mx));
            }
            boolean binaryBody = envelope.parameters().bodyOrDefault() == BodyType.BINARY_MIME;
            boolean useBdat = caps.chunking() && (info.needsBdat() || binaryBody);
            if ((binaryBody && !(caps.chunking() && caps.binaryMime())) || (info.longestLine() > 998 && !useBdat)) {
                client.quit();
                return fill(indexes, new DeliveryOutcome.Failed("5.6.3", "the message has "
                        + (binaryBody ? "binary content" : "lines over 998 octets") + " and " + where
                        + " does not offer CHUNKING" + (binaryBody ? " with BINARYMIME" : ""), mx));
            }
            if (info.eightBit() && !caps.eightBitMime()) {
                // RFC 6152 3: convert to 7 bits for a next hop without 8BITMIME, or give up clearly.
                byte[] seven;
                try (InputStream in = content.open()) {
                    seven = binaryBody ? null : SevenBitConverter.convert(in);
                }
                if (seven == null) {
                    client.quit();
                    return fill(indexes, new DeliveryOutcome.Failed("5.6.3", "the message has 8-bit content that "
                            + "cannot be converted to 7 bits (8-bit headers need SMTPUTF8), and " + where
                            + " does not offer 8BITMIME", mx));
                }
                content = () -> new ByteArrayInputStream(seven);
                info = new ContentInfo(false, info.binary(), info.longestLine());
                size = seven.length + 512L;
                contentSize = seven.length;
            }
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
                return fill(indexes, byReply(mail, where, false));
            }
            var outcomes = new HashMap<Integer, DeliveryOutcome>();
            var accepted = new ArrayList<Integer>();
            for (int k = 0; k < indexes.size(); k++) {
                var r = replies.get(k + 1);
                if (r.code() / 100 == 2) {
                    accepted.add(indexes.get(k));
                } else {
                    outcomes.put(indexes.get(k), byReply(r, where, false));
                }
            }
            Reply end;
            if (useBdat) {
                if (accepted.isEmpty()) {
                    client.quit();
                    return outcomes;
                }
                byte[] head = headers(message, accepted);
                try (InputStream in = content.open()) {
                    end = client.bdatLast(new SequenceInputStream(new ByteArrayInputStream(head), in),
                            head.length + contentSize);
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
                    var o = byReply(dataReply, where, false);
                    accepted.forEach(i -> outcomes.put(i, o));
                    return outcomes;
                }
                byte[] head = headers(message, accepted);
                try (InputStream in = content.open()) {
                    end = client.sendContent(new SequenceInputStream(new ByteArrayInputStream(head), in));
                }
            }
            DeliveryOutcome o = end.code() / 100 == 2
                    ? new DeliveryOutcome.Delivered(status(end, "2.0.0"), end.firstLine(), mx, caps.dsn())
                    : byReply(end, where, false);
            accepted.forEach(i -> outcomes.put(i, o));
            keep = end.code() != 421;
            return outcomes;
        } catch (IOException e) {
            if (!mailAnswered && uses > 1) {
                return null;
            }
            // A connection lost or timed out mid-session: nothing was accepted for sure.
            return fill(indexes, connectFailure(where, e));
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

    /** Our Received header (and a Message-ID the 250 promised) in front of the content. */
    private byte[] headers(QueuedMessage message, List<Integer> accepted) {
        var e = message.envelope();
        var rcpt = accepted.size() == 1 ? message.status().recipients().get(accepted.get(0)).original() : null;
        String h = TraceHeaders.received(e, config.hostname(), rcpt, zone) + TraceHeaders.missingHeaders(e, zone);
        return h.getBytes(StandardCharsets.UTF_8);
    }

    /** A reply's outcome: 4xx temporary, 5xx permanent; {@code whole} for a greeting or HELO. */
    private static DeliveryOutcome byReply(Reply r, String where, boolean whole) {
        String text = r.firstLine();
        String detail = where + " said: " + text;
        if (r.code() / 100 == 5 && !whole) {
            return new DeliveryOutcome.Failed(status(r, "5.0.0"), detail, hostOf(where));
        }
        return new DeliveryOutcome.Deferred(r.code() / 100 == 4 ? status(r, "4.0.0") : "4.4.0", detail,
                hostOf(where));
    }

    private static String hostOf(String where) {
        int b = where.indexOf('[');
        return b < 0 ? where : where.substring(0, b);
    }

    private static String status(Reply r, String fallback) {
        return r.status() != null ? r.status().toString() : fallback;
    }

    /** RFC 3463: 4.4.1 no answer from host, 4.4.2 bad connection. */
    private static DeliveryOutcome connectFailure(String where, IOException e) {
        String code;
        String what;
        if (e instanceof ConnectException) {
            code = "4.4.1";
            what = "connection refused";
        } else if (e instanceof NoRouteToHostException) {
            code = "4.4.1";
            what = "no route to host";
        } else if (e instanceof SocketTimeoutException) {
            code = "4.4.2";
            what = "timed out";
        } else {
            code = "4.4.2";
            what = "connection lost: " + e.getMessage();
        }
        return new DeliveryOutcome.Deferred(code, where + ": " + what, hostOf(where));
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
