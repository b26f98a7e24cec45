package dev.mailflow.milter;

import java.io.ByteArrayOutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One conversation with one milter, for one SMTP session: the option negotiation, then a
 * command per stage and its answer. It knows the protocol, not what the answers mean for the
 * mail ({@link MilterSession} decides that). Every failure is a {@link MilterException}, after
 * which the connection is closed and the client is not used again.
 */
final class MilterClient implements AutoCloseable {

    private final MilterEndpoint endpoint;
    private final Duration connectTimeout;
    private final Duration commandTimeout;
    private final Duration contentTimeout;
    private MilterConnection connection;
    private int version;
    private int actions;
    private int protocol;
    /** Per macro stage, the names the milter asked for (SETSYMLIST), or null: send all. */
    private final List<Set<String>> symbols = new ArrayList<>();

    MilterClient(MilterEndpoint endpoint, Duration connectTimeout, Duration commandTimeout, Duration contentTimeout) {
        this.endpoint = endpoint;
        this.connectTimeout = connectTimeout;
        this.commandTimeout = commandTimeout;
        this.contentTimeout = contentTimeout;
        for (int i = 0; i < Protocol.STAGES; i++) {
            symbols.add(null);
        }
    }

    /** Connects and negotiates version 6: every action and every protocol option we support is offered. */
    void negotiate() {
        connection = MilterConnection.open(endpoint, connectTimeout);
        var data = new ByteArrayOutputStream();
        data.writeBytes(Packet.intBytes(Protocol.VERSION));
        data.writeBytes(Packet.intBytes(Protocol.ALL_ACTIONS));
        data.writeBytes(Packet.intBytes(Protocol.OFFERED_PROTOCOL));
        // The negotiation is part of connecting (Postfix: milter_connect_timeout covers both).
        connection.send(new Packet(Protocol.OPTNEG, data.toByteArray()), connectTimeout);
        var reply = connection.receive(connectTimeout);
        if (reply.code() != Protocol.OPTNEG) {
            throw new MilterException("answered the option negotiation with '" + reply.code() + "'");
        }
        version = reply.intAt(0);
        if (version < 2 || version > Protocol.VERSION) {
            throw new MilterException("speaks milter protocol version " + version + " (2 to 6 are understood)");
        }
        actions = reply.intAt(4) & Protocol.ALL_ACTIONS;
        // A milter may only take options we offered; any other is left off (libmilter never asks).
        protocol = reply.intAt(8) & Protocol.OFFERED_PROTOCOL;
        int offset = 12;
        var bytes = reply.data();
        while (offset + 4 < bytes.length) {
            int stage = reply.intAt(offset);
            offset += 4;
            int end = offset;
            while (end < bytes.length && bytes[end] != 0) {
                end++;
            }
            String names = new String(bytes, offset, end - offset, StandardCharsets.UTF_8);
            offset = end + 1;
            if (stage >= 0 && stage < Protocol.STAGES && (actions & Protocol.SET_SYMBOL_LIST) != 0) {
                var set = new HashSet<String>();
                for (String name : names.trim().split("[\\s,]+")) {
                    if (!name.isEmpty()) {
                        set.add(bare(name));
                    }
                }
                symbols.set(stage, set);
            }
        }
    }

    /** The protocol version the milter answered with. */
    int version() {
        return version;
    }

    boolean wants(int stageFlag) {
        return (protocol & stageFlag) == 0;
    }

    boolean replies(int noReplyFlag) {
        return (protocol & noReplyFlag) == 0;
    }

    boolean may(int action) {
        return (actions & action) != 0;
    }

    boolean leadingSpace() {
        return (protocol & Protocol.HEADER_LEADING_SPACE) != 0;
    }

    /** The macros of a stage, less those the milter said it does not want; nothing sent when none are left. */
    void macros(char command, int stage, Map<String, String> macros) {
        var wanted = symbols.get(stage);
        var data = new ByteArrayOutputStream();
        data.write(command);
        int count = 0;
        for (var e : macros.entrySet()) {
            if (wanted != null && !wanted.contains(bare(e.getKey()))) {
                continue;
            }
            data.writeBytes(e.getKey().getBytes(StandardCharsets.UTF_8));
            data.write(0);
            data.writeBytes(e.getValue().getBytes(StandardCharsets.UTF_8));
            data.write(0);
            count++;
        }
        if (count > 0) {
            connection.send(new Packet(Protocol.MACRO, data.toByteArray()), commandTimeout);
        }
    }

    Packet connect(String hostname, InetAddress address, int port, boolean reply) {
        var data = new ByteArrayOutputStream();
        data.writeBytes(hostname.getBytes(StandardCharsets.UTF_8));
        data.write(0);
        data.write(address instanceof Inet6Address ? '6' : '4');
        data.write((port >>> 8) & 0xff);
        data.write(port & 0xff);
        data.writeBytes(address.getHostAddress().getBytes(StandardCharsets.US_ASCII));
        data.write(0);
        return command(new Packet(Protocol.CONNECT, data.toByteArray()), reply, commandTimeout);
    }

    /** A command and, unless the milter said it sends none, its answer (progress reports skipped). */
    Packet command(Packet packet, boolean reply, Duration timeout) {
        connection.send(packet, timeout);
        return reply ? answer(timeout) : null;
    }

    Packet command(Packet packet, boolean reply) {
        return command(packet, reply, commandTimeout);
    }

    /** System.nanoTime() by which the whole end of data must be over, or 0 outside it. */
    private long contentDeadline;

    /**
     * Starts the end-of-data exchange (header fields, body, end of message, the edits): it must
     * be over by {@link #endOfDataLimit}, whatever the milter sends on the way.
     */
    void beginContent() {
        contentDeadline = System.nanoTime() + endOfDataLimit(contentTimeout).toNanos();
    }

    void endContent() {
        contentDeadline = 0;
    }

    /**
     * How long the whole end of data may take with a milter: ten times its content timeout, but
     * 8 minutes at most (unless the content timeout itself is longer), so that the client, which
     * waits 10 minutes for its reply (RFC 5321 4.5.3.2.6), never gives up on a message that is
     * then queued, and sends it again.
     */
    static Duration endOfDataLimit(Duration contentTimeout) {
        var ten = contentTimeout.multipliedBy(Protocol.MAX_PROGRESS_FACTOR);
        var cap = Protocol.MAX_END_OF_DATA;
        return contentTimeout.compareTo(cap) > 0 ? contentTimeout : ten.compareTo(cap) > 0 ? cap : ten;
    }

    /** A timeout cut to what is left of the end of data. */
    private Duration bounded(Duration timeout) {
        if (contentDeadline == 0) {
            return timeout;
        }
        long left = contentDeadline - System.nanoTime();
        if (left <= 0) {
            connection.close();
            throw overrun();
        }
        return Duration.ofNanos(Math.min(left, timeout.toNanos()));
    }

    /** Whether the end of data's time is (all but) up: a timeout then says so. */
    private boolean overrunning() {
        return contentDeadline != 0 && contentDeadline - System.nanoTime() < 5_000_000L;
    }

    private MilterException overrun() {
        return new MilterException("the end of data took over " + MilterConnection.Durations.words(
                endOfDataLimit(contentTimeout)) + " (milter_content_timeout " + MilterConnection.Durations.words(
                contentTimeout) + ", ten times at most)");
    }

    Packet content(Packet packet, boolean reply) {
        connection.send(packet, bounded(contentTimeout));
        return reply ? answer(contentTimeout) : null;
    }

    /**
     * The next answer that is not a progress report; each progress report restarts the timeout,
     * up to {@link Protocol#MAX_PROGRESS_FACTOR} times the timeout in all, so that a milter that
     * reports progress forever still ends.
     */
    Packet answer(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos() * Protocol.MAX_PROGRESS_FACTOR;
        boolean progressed = false;
        while (true) {
            long left = end - System.nanoTime();
            Packet packet;
            try {
                if (left <= 0) {
                    throw new MilterException("the progress reports' time is up");
                }
                packet = connection.receive(bounded(Duration.ofNanos(Math.min(left, timeout.toNanos()))));
            } catch (MilterException e) {
                if (overrunning()) {
                    connection.close();
                    throw overrun();
                }
                if (progressed && left < timeout.toNanos()) {
                    connection.close();
                    throw new MilterException("still working after " + MilterConnection.Durations.words(
                            timeout.multipliedBy(Protocol.MAX_PROGRESS_FACTOR)) + " of progress reports");
                }
                throw e;
            }
            if (packet.code() != Protocol.PROGRESS) {
                return packet;
            }
            progressed = true;
        }
    }

    Duration contentTimeout() {
        return contentTimeout;
    }

    /** Tells the milter the transaction ended without its end of message; it answers nothing. */
    void abort() {
        connection.send(Packet.of(Protocol.ABORT), commandTimeout);
    }

    boolean isOpen() {
        return connection != null && connection.isOpen();
    }

    /** QUIT, then the socket closed; never throws. */
    @Override
    public void close() {
        if (connection == null) {
            return;
        }
        try {
            if (connection.isOpen()) {
                connection.send(Packet.of(Protocol.QUIT), Duration.ofSeconds(1));
            }
        } catch (MilterException ignored) {
            // It is going away anyway.
        } finally {
            connection.close();
        }
    }

    private static String bare(String name) {
        return name.startsWith("{") && name.endsWith("}") ? name.substring(1, name.length() - 1) : name;
    }
}
