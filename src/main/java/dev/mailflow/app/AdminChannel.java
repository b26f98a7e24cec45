package dev.mailflow.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailflow.queue.QueueAdmin;
import dev.mailflow.queue.QueueJson;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running server's local admin channel: a Unix domain socket in
 * {@code <data_dir>/admin/} (a directory only the server's user can enter, so only that
 * user can connect), one JSON request line and one JSON answer line per connection.
 */
final class AdminChannel implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminChannel.class);

    private final ServerSocketChannel server;
    private final Path socket;
    private final QueueAdmin admin;
    private final ConfigReload reload;
    private volatile boolean closed;

    private AdminChannel(ServerSocketChannel server, Path socket, QueueAdmin admin, ConfigReload reload) {
        this.server = server;
        this.socket = socket;
        this.admin = admin;
        this.reload = reload;
    }

    static Path socketPath(Path dataDir) {
        return dataDir.resolve("admin").resolve("queue.sock");
    }

    static AdminChannel start(Path dataDir, QueueAdmin admin, ConfigReload reload) throws IOException {
        Path dir = dataDir.resolve("admin");
        Files.createDirectories(dir);
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException e) {
            LOG.warn("cannot restrict {} to this user on this file system", dir);
        }
        Path sock = socketPath(dataDir);
        Files.deleteIfExists(sock); // left by a server that was killed; we hold the data directory lock
        var ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        ch.bind(UnixDomainSocketAddress.of(sock));
        var channel = new AdminChannel(ch, sock, admin, reload);
        Thread.ofVirtual().name("admin-channel").start(channel::acceptLoop);
        return channel;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                var client = server.accept();
                Thread.ofVirtual().name("admin").start(() -> serve(client));
            } catch (IOException e) {
                if (!closed) {
                    LOG.error("admin channel stopped: {}", e.toString());
                }
                return;
            }
        }
    }

    private void serve(SocketChannel client) {
        try (client) {
            var in = Channels.newInputStream(client);
            byte[] line = readLine(in, MAX_REQUEST, "request");
            JsonNode answer;
            try {
                answer = AdminProtocol.handle(admin, reload, QueueJson.MAPPER.readTree(line));
            } catch (IOException e) {
                answer = AdminProtocol.error("bad request: not one line of JSON");
            } catch (RuntimeException | LinkageError e) {
                LOG.error("admin request failed", e);
                answer = AdminProtocol.error("the server could not do it (an internal error; its log has the details)");
            }
            var out = Channels.newOutputStream(client);
            out.write(QueueJson.MAPPER.writeValueAsBytes(answer));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            LOG.debug("admin request: {}", e.toString());
        }
    }

    /** A request is one small line of JSON. */
    static final int MAX_REQUEST = 64 * 1024;

    /** An answer may list a page of the queue (1,000 messages by default, or all with --limit 0). */
    static final int MAX_ANSWER = 512 * 1024 * 1024;

    private static byte[] readLine(java.io.InputStream raw, int limit, String what) throws IOException {
        var in = new java.io.BufferedInputStream(raw, 64 * 1024);
        var buf = new java.io.ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (buf.size() >= limit) {
                throw new IOException(what + " too long (over " + limit / 1024 + " KiB)");
            }
            buf.write(b);
        }
        return buf.toByteArray();
    }

    /** Sends one request to a running server; null when no server answers there. */
    static JsonNode call(Path dataDir, JsonNode request) throws IOException {
        Path sock = socketPath(dataDir);
        if (!Files.exists(sock)) {
            return null;
        }
        SocketChannel ch;
        try {
            ch = SocketChannel.open(UnixDomainSocketAddress.of(sock));
        } catch (IOException e) {
            return null;
        }
        try (ch) {
            var out = Channels.newOutputStream(ch);
            out.write(QueueJson.MAPPER.writeValueAsBytes(request));
            out.write('\n');
            out.flush();
            byte[] answer = readLine(Channels.newInputStream(ch), MAX_ANSWER, "the server's answer");
            if (answer.length == 0) {
                throw new IOException("the server closed its admin channel without an answer; see its log");
            }
            return QueueJson.MAPPER.readTree(new String(answer, StandardCharsets.UTF_8));
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.debug("closing admin channel: {}", e.toString());
        }
    }
}
