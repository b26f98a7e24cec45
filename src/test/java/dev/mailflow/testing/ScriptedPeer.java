package dev.mailflow.testing;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A next-hop SMTP server for tests whose replies follow a script, to make remote delivery meet
 * misbehaviour on purpose: 421/451 then success, 552 at end of data, a dropped connection in
 * DATA, silence, a peer without 8BITMIME or DSN. It records what it accepted.
 */
public final class ScriptedPeer implements AutoCloseable {

    /** What the peer says, per session (numbered from 1). Null keeps the default. */
    public interface Script {
        default String greeting(int session) {
            return "220 peer.test ESMTP scripted";
        }

        default List<String> extensions(int session) {
            return List.of("PIPELINING", "SIZE 10000000", "8BITMIME", "DSN", "ENHANCEDSTATUSCODES");
        }

        default String mail(int session, String line) {
            return "250 2.1.0 Ok";
        }

        default String rcpt(int session, String line) {
            return "250 2.1.5 Ok";
        }

        default String data(int session) {
            return "354 End data with <CR><LF>.<CR><LF>";
        }

        /** Before the message is read: true to drop the connection in the middle of DATA. */
        default boolean dropInData(int session) {
            return false;
        }

        /** Milliseconds to stay silent before the end-of-data reply. */
        default long delayEndOfData(int session) {
            return 0;
        }

        default String endOfData(int session) {
            return "250 2.0.0 Ok: queued as " + session;
        }

        /** AUTH PLAIN with these credentials (RFC 4616). */
        default String auth(int session, String user, String password) {
            return "235 2.7.0 Authentication successful";
        }
    }

    /** One message the peer accepted. */
    public record Accepted(String mailFrom, List<String> rcptTo, String content) {
    }

    private final ServerSocket server;
    private final Script script;
    private final AtomicInteger sessions = new AtomicInteger();
    private final List<Accepted> accepted = new CopyOnWriteArrayList<>();
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final List<String> logins = new CopyOnWriteArrayList<>();

    public ScriptedPeer(Script script) throws IOException {
        this(script, InetAddress.getLoopbackAddress(), 0);
    }

    /** On another loopback address (127.0.0.2...) or port, for a second next hop on the same port. */
    public ScriptedPeer(Script script, InetAddress address, int port) throws IOException {
        this.script = script;
        this.server = new ServerSocket(port, 50, address);
        Thread.ofVirtual().start(this::acceptLoop);
    }

    public int port() {
        return server.getLocalPort();
    }

    public int sessions() {
        return sessions.get();
    }

    public List<Accepted> accepted() {
        return List.copyOf(accepted);
    }

    /** user:password of each AUTH PLAIN received. */
    public List<String> logins() {
        return List.copyOf(logins);
    }

    /** Every command line received, in order, across sessions. */
    public List<String> commands() {
        return List.copyOf(commands);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                int n = sessions.incrementAndGet();
                Thread.ofVirtual().start(() -> session(s, n));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void session(Socket socket, int n) {
        try (socket) {
            socket.setSoTimeout(30_000);
            var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = socket.getOutputStream();
            send(out, script.greeting(n));
            if (!script.greeting(n).startsWith("220")) {
                return;
            }
            String from = null;
            var rcpts = new ArrayList<String>();
            String line;
            while ((line = in.readLine()) != null) {
                commands.add(line);
                String upper = line.toUpperCase();
                if (upper.startsWith("EHLO")) {
                    var ext = script.extensions(n);
                    var sb = new StringBuilder();
                    sb.append(ext.isEmpty() ? "250 " : "250-").append("peer.test hello\r\n");
                    for (int i = 0; i < ext.size(); i++) {
                        sb.append(i == ext.size() - 1 ? "250 " : "250-").append(ext.get(i)).append("\r\n");
                    }
                    out.write(sb.toString().getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } else if (upper.startsWith("AUTH PLAIN ")) {
                    String[] parts = new String(java.util.Base64.getDecoder().decode(line.substring(11).trim()),
                            StandardCharsets.UTF_8).split("\0", -1);
                    logins.add(parts[1] + ":" + parts[2]);
                    send(out, script.auth(n, parts[1], parts[2]));
                } else if (upper.startsWith("HELO")) {
                    send(out, "250 peer.test");
                } else if (upper.startsWith("MAIL FROM:")) {
                    String r = script.mail(n, line);
                    send(out, r);
                    if (r.startsWith("250")) {
                        from = line;
                        rcpts.clear();
                    }
                } else if (upper.startsWith("RCPT TO:")) {
                    String r = script.rcpt(n, line);
                    send(out, r);
                    if (r.startsWith("250")) {
                        rcpts.add(line);
                    }
                } else if (upper.equals("DATA")) {
                    if (from == null || rcpts.isEmpty()) {
                        send(out, "554 5.5.1 Error: no valid recipients");
                        continue;
                    }
                    send(out, script.data(n));
                    if (script.dropInData(n)) {
                        in.readLine();
                        return;
                    }
                    var content = new ByteArrayOutputStream();
                    String l;
                    while ((l = in.readLine()) != null && !l.equals(".")) {
                        content.write((l.startsWith("..") ? l.substring(1) : l).getBytes(StandardCharsets.UTF_8));
                        content.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    long delay = script.delayEndOfData(n);
                    if (delay > 0) {
                        Thread.sleep(delay);
                    }
                    String r = script.endOfData(n);
                    send(out, r);
                    if (r.startsWith("250")) {
                        accepted.add(new Accepted(from, List.copyOf(rcpts), content.toString(StandardCharsets.UTF_8)));
                    }
                    from = null;
                    rcpts.clear();
                } else if (upper.equals("RSET")) {
                    from = null;
                    rcpts.clear();
                    send(out, "250 2.0.0 Ok");
                } else if (upper.equals("QUIT")) {
                    send(out, "221 2.0.0 Bye");
                    return;
                } else {
                    send(out, "502 5.5.2 Error: command not recognized");
                }
            }
        } catch (IOException | InterruptedException e) {
            // session over
        }
    }

    private static void send(OutputStream out, String reply) throws IOException {
        out.write((reply + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
