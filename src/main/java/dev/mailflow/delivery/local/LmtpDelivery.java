package dev.mailflow.delivery.local;

import dev.mailflow.client.Capabilities;
import dev.mailflow.client.ClientTimeouts;
import dev.mailflow.client.DotStuffingOutputStream;
import dev.mailflow.client.NetworkErrors;
import dev.mailflow.delivery.TraceHeaders;
import dev.mailflow.queue.DeliveryAgent;
import dev.mailflow.queue.DeliveryCodes;
import dev.mailflow.queue.DeliveryOutcome;
import dev.mailflow.queue.Envelope;
import dev.mailflow.queue.RemoteReply;
import dev.mailflow.smtp.BodyType;
import dev.mailflow.smtp.Reply;
import dev.mailflow.smtp.ReplyParser;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local delivery over LMTP (RFC 2033) to the server that owns the mailboxes (Dovecot's
 * {@code lmtp} service): one transaction per message for all its local copies, RCPTs pipelined
 * when offered, the content by BDAT when CHUNKING is offered (else DATA), and after the content
 * one reply per accepted recipient, each deciding that recipient alone (a 4xx defers only it).
 * Connections are kept for the next message (up to {@link #MAX_IDLE}, for {@link #IDLE_LIMIT}).
 *
 * <p>An LMTP server that cannot be reached, or breaks off, defers every copy it had not
 * answered (4.4.1, 4.4.2): mail waits, it is never lost or bounced for it. LMTP has no way to
 * ask whether a copy was stored before a crash, so a message whose delivery was cut by a crash
 * may be delivered twice (at least once, never lost); Maildir delivery is exactly once.
 */
public final class LmtpDelivery implements LocalDelivery {

    private static final Logger LOG = LoggerFactory.getLogger(LmtpDelivery.class);

    static final int MAX_IDLE = 4;
    static final Duration IDLE_LIMIT = Duration.ofSeconds(30);
    private static final int MAX_REPLY_LINES = 100;
    private static final int MAX_REPLY_LINE = 2048;

    private final LmtpEndpoint endpoint;
    private final String hostname;
    private final ZoneId zone;
    private final ClientTimeouts timeouts;
    private final ArrayDeque<Connection> idle = new ArrayDeque<>();
    private volatile boolean closed;

    public LmtpDelivery(LmtpEndpoint endpoint, String hostname, ZoneId zone, ClientTimeouts timeouts) {
        this.endpoint = endpoint;
        this.hostname = hostname;
        this.zone = zone;
        this.timeouts = timeouts;
    }

    public LmtpEndpoint endpoint() {
        return endpoint;
    }

    @Override
    public Map<Integer, DeliveryOutcome> deliver(Envelope envelope, List<Copy> copies, DeliveryAgent.Content content,
                                                 boolean mayBeDelivered) {
        if (mayBeDelivered) {
            LOG.info("lmtp: message {} may have been delivered before a restart; LMTP cannot tell, so it is "
                    + "delivered again (at least once)", envelope.internalId());
        }
        var outcomes = new HashMap<Integer, DeliveryOutcome>();
        Connection c;
        try {
            c = take();
        } catch (IOException e) {
            LOG.warn("lmtp: {} does not answer: {}", endpoint, NetworkErrors.describe(e));
            fill(outcomes, copies, new DeliveryOutcome.Deferred(DeliveryCodes.NO_ANSWER, "connect to the LMTP server "
                    + endpoint + ": " + NetworkErrors.describe(e)));
            return outcomes;
        }
        String stage = "MAIL FROM";
        try {
            Reply mail = c.command("MAIL FROM:" + envelope.sender().toPath() + mailParameters(envelope, c.caps),
                    timeouts.command());
            if (mail.code() / 100 != 2) {
                fill(outcomes, copies, refused(c, mail, "the sender (MAIL FROM)"));
                c.reset();
                give(c);
                return outcomes;
            }
            stage = "RCPT TO";
            var replies = new ArrayList<Reply>();
            if (c.caps.pipelining()) {
                for (var copy : copies) {
                    c.line("RCPT TO:" + copy.mailbox().address().toPath());
                }
                c.flush();
                for (int i = 0; i < copies.size(); i++) {
                    replies.add(c.read(timeouts.command()));
                }
            } else {
                for (var copy : copies) {
                    replies.add(c.command("RCPT TO:" + copy.mailbox().address().toPath(), timeouts.command()));
                }
            }
            var accepted = new ArrayList<Copy>();
            for (int i = 0; i < copies.size(); i++) {
                if (replies.get(i).code() / 100 == 2) {
                    accepted.add(copies.get(i));
                } else {
                    outcomes.put(copies.get(i).index(), refused(c, replies.get(i), "the recipient (RCPT TO)"));
                }
            }
            if (accepted.isEmpty()) {
                c.reset();
                give(c);
                return outcomes;
            }
            byte[] headers = (TraceHeaders.received(envelope, hostname,
                    copies.size() == 1 ? copies.get(0).original() : null, zone) + TraceHeaders.added(envelope)
                    + TraceHeaders.missingHeaders(envelope, zone)).getBytes(StandardCharsets.UTF_8);
            stage = "the message content";
            if (c.caps.chunking()) {
                long size = headers.length + count(content);
                c.line("BDAT " + size + " LAST");
                try (InputStream in = content.open()) {
                    c.out.write(headers);
                    long copied = in.transferTo(c.out);
                    if (headers.length + copied != size) {
                        throw new IOException("the queued content changed size while it was sent");
                    }
                }
                c.flush();
            } else {
                Reply data = c.command("DATA", timeouts.dataInit());
                if (data.code() != 354) {
                    for (var copy : accepted) {
                        outcomes.put(copy.index(), refused(c, data, "the message (DATA)"));
                    }
                    c.reset();
                    give(c);
                    return outcomes;
                }
                var stuffing = new DotStuffingOutputStream(c.out);
                try (InputStream in = new SequenceInputStream(new java.io.ByteArrayInputStream(headers),
                        content.open())) {
                    in.transferTo(stuffing);
                }
                stuffing.finish();
                c.flush();
            }
            // RFC 2033 4.2: one reply per accepted recipient, in the order of the RCPTs.
            for (var copy : accepted) {
                Reply r = c.read(timeouts.dataEnd());
                outcomes.put(copy.index(), r.code() / 100 == 2
                        ? new DeliveryOutcome.Delivered("delivered to " + c.server + " lmtp " + endpoint + ": "
                                + Reply.printable(r.firstLine()))
                        : refused(c, r, "the message"));
            }
            give(c);
        } catch (IOException e) {
            c.close();
            String reason = c.timedOut ? "the LMTP server " + endpoint + " did not answer during " + stage + " in time"
                    : "lost the connection with the LMTP server " + endpoint + " during " + stage + ": "
                    + NetworkErrors.describe(e);
            LOG.warn("lmtp: message {}: {}", envelope.internalId(), reason);
            for (var copy : copies) {
                outcomes.putIfAbsent(copy.index(), new DeliveryOutcome.Deferred(DeliveryCodes.BAD_CONNECTION, reason));
            }
        }
        return outcomes;
    }

    /** MAIL parameters the LMTP server offers and the message needs (RFC 6152, 3030, 6531). */
    private static String mailParameters(Envelope e, Capabilities caps) {
        var sb = new StringBuilder();
        BodyType body = e.parameters().body();
        if (body == BodyType.EIGHT_BIT_MIME && caps.eightBitMime()
                || body == BodyType.BINARY_MIME && caps.binaryMime() && caps.chunking()) {
            sb.append(" BODY=").append(body.keyword());
        }
        if (e.parameters().smtpUtf8() && caps.smtpUtf8()) {
            sb.append(" SMTPUTF8");
        }
        return sb.toString();
    }

    /** A refusal by the LMTP server: 5xx fails the copy, 4xx (and anything else) defers it. */
    private DeliveryOutcome refused(Connection c, Reply r, String what) {
        var reply = RemoteReply.of(c.server, r);
        if (r.code() / 100 == 5) {
            return new DeliveryOutcome.Failed(reply.status(), "the LMTP server " + endpoint + " refused " + what, reply);
        }
        var status = r.code() / 100 == 4 ? reply.status() : DeliveryCodes.PROTOCOL_ERROR;
        return new DeliveryOutcome.Deferred(status.withClass(dev.mailflow.smtp.EnhancedStatus.TRANSIENT),
                "the LMTP server " + endpoint + (r.code() / 100 == 4 ? " temporarily refused " : " answered out of "
                        + "protocol to ") + what, reply);
    }

    private static void fill(Map<Integer, DeliveryOutcome> outcomes, List<Copy> copies, DeliveryOutcome o) {
        for (var copy : copies) {
            outcomes.put(copy.index(), o);
        }
    }

    private static long count(DeliveryAgent.Content content) throws IOException {
        try (InputStream in = content.open()) {
            return in.transferTo(OutputStream.nullOutputStream());
        }
    }

    /** Nothing to do: the LMTP server made each copy durable before its 250. */
    @Override
    public void sync() {
    }

    /** An idle connection still answering, or a new one. */
    private Connection take() throws IOException {
        while (true) {
            Connection c;
            synchronized (idle) {
                c = idle.pollFirst();
            }
            if (c == null) {
                return open();
            }
            if (System.nanoTime() - c.idleSince > IDLE_LIMIT.toNanos()) {
                c.quit();
                continue;
            }
            try {
                if (c.command("RSET", timeouts.command()).code() == 250) {
                    return c;
                }
            } catch (IOException e) {
                // it went away while idle: a new one
            }
            c.close();
        }
    }

    private void give(Connection c) {
        if (closed) {
            c.quit();
            return;
        }
        c.idleSince = System.nanoTime();
        synchronized (idle) {
            if (idle.size() < MAX_IDLE) {
                idle.addFirst(c);
                return;
            }
        }
        c.quit();
    }

    private Connection open() throws IOException {
        var c = new Connection();
        try {
            Reply greeting = c.read(timeouts.greeting());
            if (greeting.code() != 220) {
                throw new IOException("it greeted with " + Reply.printable(greeting.firstLine()));
            }
            c.server = serverName(greeting);
            Reply lhlo = c.command("LHLO " + hostname, timeouts.command());
            if (lhlo.code() != 250) {
                throw new IOException("it answered LHLO with " + Reply.printable(lhlo.firstLine()));
            }
            c.caps = Capabilities.fromEhlo(lhlo.lines());
            return c;
        } catch (IOException e) {
            c.close();
            throw e;
        }
    }

    /**
     * For {@code mailflow check}: whether the LMTP server answers now (greeting and LHLO), in a
     * sentence.
     */
    public static String check(LmtpEndpoint endpoint, String hostname, Duration timeout) {
        var probe = new LmtpDelivery(endpoint, hostname, ZoneId.systemDefault(), ClientTimeouts.uniform(timeout));
        try {
            Connection c = probe.open();
            String what = "answers (" + c.server + "; LHLO offers " + String.join(" ", c.caps.keywords()) + ")";
            c.quit();
            return what;
        } catch (IOException e) {
            return "does NOT answer now: " + NetworkErrors.describe(e) + " (mail for our mailboxes would wait in the "
                    + "queue until it does)";
        }
    }

    /** "dovecot" for Dovecot's greeting, else the host the greeting names. */
    static String serverName(Reply greeting) {
        String text = String.join(" ", greeting.lines());
        if (text.toLowerCase(Locale.ROOT).contains("dovecot")) {
            return "dovecot";
        }
        String first = greeting.lines().isEmpty() ? "" : greeting.lines().get(0).strip();
        int space = first.indexOf(' ');
        String name = space < 0 ? first : first.substring(0, space);
        return name.isEmpty() ? "the LMTP server" : Reply.printable(name);
    }

    @Override
    public void close() {
        closed = true;
        synchronized (idle) {
            for (var c : idle) {
                c.quit();
            }
            idle.clear();
        }
    }

    /** One LMTP connection, over TCP or a Unix socket, every read bounded by a watchdog. */
    private final class Connection {
        private final AutoCloseable channel;
        private final InputStream in;
        final OutputStream out;
        private volatile long deadline = Long.MAX_VALUE;
        private volatile boolean gone;
        volatile boolean timedOut;
        Capabilities caps = Capabilities.NONE;
        String server = "the LMTP server";
        long idleSince;

        Connection() throws IOException {
            if (endpoint.socket() != null) {
                var ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                try {
                    ch.connect(UnixDomainSocketAddress.of(endpoint.socket()));
                } catch (IOException e) {
                    ch.close();
                    throw e;
                }
                channel = ch;
                in = new BufferedInputStream(Channels.newInputStream(ch), 8192);
                out = new BufferedOutputStream(Channels.newOutputStream(ch), 16 * 1024);
            } else {
                var s = new Socket();
                try {
                    s.connect(new InetSocketAddress(endpoint.host(), endpoint.port()),
                            (int) timeouts.connect().toMillis());
                } catch (IOException e) {
                    s.close();
                    throw e;
                }
                channel = s;
                in = new BufferedInputStream(s.getInputStream(), 8192);
                out = new BufferedOutputStream(s.getOutputStream(), 16 * 1024);
            }
            Thread.ofVirtual().name("lmtp-watchdog").start(this::watch);
        }

        private void watch() {
            while (!gone) {
                long d = deadline;
                long now = System.nanoTime();
                if (now - d >= 0) {
                    timedOut = true;
                    close();
                    return;
                }
                LockSupport.parkNanos(Math.min(d - now, Duration.ofMillis(500).toNanos()));
            }
        }

        void line(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.write('\r');
            out.write('\n');
        }

        void flush() throws IOException {
            out.flush();
        }

        Reply command(String text, Duration timeout) throws IOException {
            line(text);
            flush();
            return read(timeout);
        }

        void reset() throws IOException {
            command("RSET", timeouts.command());
        }

        Reply read(Duration timeout) throws IOException {
            deadline = System.nanoTime() + timeout.toNanos();
            try {
                var parser = new ReplyParser();
                for (int i = 0; i < MAX_REPLY_LINES; i++) {
                    try {
                        var reply = parser.add(readLine());
                        if (reply != null) {
                            return reply;
                        }
                    } catch (ReplyParser.MalformedReply e) {
                        throw new IOException("malformed reply: " + e.getMessage());
                    }
                }
                throw new IOException("a reply longer than " + MAX_REPLY_LINES + " lines");
            } finally {
                deadline = Long.MAX_VALUE;
            }
        }

        private String readLine() throws IOException {
            return dev.mailflow.client.ReplyLines.read(in, MAX_REPLY_LINE);
        }

        void quit() {
            try {
                deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                line("QUIT");
                flush();
            } catch (IOException e) {
                // closing anyway
            }
            close();
        }

        void close() {
            gone = true;
            try {
                channel.close();
            } catch (Exception e) {
                // nothing to do
            }
        }
    }
}
