package dev.mailflow.milter;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A milter written from the protocol's description, for tests: it records every command and
 * macro it gets and answers as its script says. By default it negotiates what it is offered
 * (less what {@link #asks} takes away) and continues at every stage.
 */
final class FakeMilter implements AutoCloseable {

    /** What the milter answers to a command: packets, none (an empty list), or null for the default. */
    interface Script extends Function<Packet, List<Packet>> {
    }

    private final ServerSocketChannel server;
    private final String address;
    private volatile Script script = p -> null;
    private volatile int asks;
    private volatile int actions = Protocol.ALL_ACTIONS;
    private volatile byte[] symbolList = new byte[0];
    final List<String> commands = Collections.synchronizedList(new ArrayList<>());
    /** The macros of each command letter, the last ones sent. */
    final Map<Character, Map<String, String>> macros = Collections.synchronizedMap(new LinkedHashMap<>());
    final List<Packet> received = Collections.synchronizedList(new ArrayList<>());
    private final Thread acceptor;

    private FakeMilter(ServerSocketChannel server, String address) {
        this.server = server;
        this.address = address;
        this.acceptor = Thread.ofVirtual().start(this::acceptLoop);
    }

    static FakeMilter tcp() throws IOException {
        var server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress("127.0.0.1", 0));
        int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        return new FakeMilter(server, "inet:127.0.0.1:" + port);
    }

    static FakeMilter unix(Path socket) throws IOException {
        var server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        return new FakeMilter(server, "unix:" + socket);
    }

    String address() {
        return address;
    }

    FakeMilter script(Script s) {
        this.script = s;
        return this;
    }

    FakeMilter asks(int flags) {
        this.asks = flags;
        return this;
    }

    FakeMilter actions(int flags) {
        this.actions = flags;
        return this;
    }

    /** SETSYMLIST: the macros wanted at a stage. */
    FakeMilter symbols(int stage, String names) {
        var out = new java.io.ByteArrayOutputStream();
        out.writeBytes(symbolList);
        out.writeBytes(Packet.intBytes(stage));
        out.writeBytes(names.getBytes(StandardCharsets.US_ASCII));
        out.write(0);
        symbolList = out.toByteArray();
        return this;
    }

    /** The command letters in order, macros left out. */
    List<String> commandLetters() {
        synchronized (commands) {
            return commands.stream().filter(c -> !c.equals("D")).toList();
        }
    }

    /** The protocol flags of the last negotiation: what the MTA offered and this milter asked. */
    private volatile int negotiated;

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                var channel = server.accept();
                Thread.ofVirtual().start(() -> serve(channel));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(SocketChannel channel) {
        try (channel) {
            while (true) {
                var packet = read(channel);
                if (packet == null) {
                    return;
                }
                received.add(packet);
                commands.add(String.valueOf(packet.code()));
                if (packet.code() == Protocol.MACRO) {
                    var list = new Packet(packet.code(), java.util.Arrays.copyOfRange(packet.data(), 1,
                            packet.data().length)).stringsFrom(0);
                    var map = new LinkedHashMap<String, String>();
                    for (int i = 0; i + 1 < list.size(); i += 2) {
                        map.put(list.get(i), list.get(i + 1));
                    }
                    macros.put((char) packet.data()[0], map);
                    continue;
                }
                List<Packet> answers = script.apply(packet);
                if (answers == null) {
                    answers = defaults(packet);
                }
                for (var answer : answers) {
                    if (answer.code() == '!') {
                        return; // the script says: hang up now
                    }
                    if (answer.code() == '.') {
                        Thread.sleep(50); // the script says: take your time
                        continue;
                    }
                    if (answer.code() == '~') {
                        Thread.sleep(Long.MAX_VALUE); // the script says: never answer
                    }
                    write(channel, answer);
                }
                if (packet.code() == Protocol.QUIT) {
                    return;
                }
            }
        } catch (IOException | InterruptedException e) {
            // The MTA went away, or the test ended.
        }
    }

    private List<Packet> defaults(Packet p) {
        return switch (p.code()) {
            case Protocol.OPTNEG -> {
                var out = new java.io.ByteArrayOutputStream();
                out.writeBytes(Packet.intBytes(6));
                out.writeBytes(Packet.intBytes(p.intAt(4) & actions));
                negotiated = p.intAt(8) & asks;
                out.writeBytes(Packet.intBytes(negotiated));
                out.writeBytes(symbolList);
                yield List.of(new Packet(Protocol.OPTNEG, out.toByteArray()));
            }
            case Protocol.ABORT, Protocol.QUIT -> List.of();
            // A milter that negotiated "no reply" for a stage sends none, as libmilter does.
            default -> (negotiated & noReplyFlag(p.code())) != 0 ? List.of() : List.of(Packet.of(Protocol.CONTINUE));
        };
    }

    private static int noReplyFlag(char command) {
        return switch (command) {
            case Protocol.CONNECT -> Protocol.NR_CONNECT;
            case Protocol.HELO -> Protocol.NR_HELO;
            case Protocol.MAIL -> Protocol.NR_MAIL;
            case Protocol.RCPT -> Protocol.NR_RCPT;
            case Protocol.DATA -> Protocol.NR_DATA;
            case Protocol.HEADER -> Protocol.NR_HEADER;
            case Protocol.EOH -> Protocol.NR_EOH;
            case Protocol.BODY -> Protocol.NR_BODY;
            default -> 0;
        };
    }

    static Packet reply(char code, String... strings) {
        return Packet.strings(code, strings);
    }

    static Packet withIndex(char code, int index, String... strings) {
        var out = new java.io.ByteArrayOutputStream();
        out.writeBytes(Packet.intBytes(index));
        out.writeBytes(Packet.strings(code, strings).data());
        return new Packet(code, out.toByteArray());
    }

    /** Hang up. */
    static final Packet HANG_UP = new Packet('!', new byte[0]);
    /** Wait 50 ms before the next packet. */
    static final Packet PAUSE = new Packet('.', new byte[0]);
    /** Never answer. */
    static final Packet SILENCE = new Packet('~', new byte[0]);

    private static Packet read(SocketChannel channel) throws IOException {
        var header = ByteBuffer.allocate(5);
        while (header.hasRemaining()) {
            if (channel.read(header) < 0) {
                return null;
            }
        }
        header.flip();
        int length = header.getInt();
        char code = (char) (header.get() & 0xff);
        var data = ByteBuffer.allocate(length - 1);
        while (data.hasRemaining()) {
            if (channel.read(data) < 0) {
                return null;
            }
        }
        return new Packet(code, data.array());
    }

    private static void write(SocketChannel channel, Packet p) throws IOException {
        var buffer = ByteBuffer.allocate(5 + p.data().length);
        buffer.putInt(p.data().length + 1).put((byte) p.code()).put(p.data()).flip();
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        acceptor.interrupt();
    }
}
