package dev.mailflow.milter;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One socket to a milter (TCP or a Unix socket), framing packets: a 4-octet big-endian length
 * that counts the command letter, the letter, the data. Every connect, write and read runs under
 * a deadline: when it passes, the socket is closed and the call fails with a
 * {@link MilterException}, so that a milter that hangs never holds a session longer than its
 * timeout.
 */
final class MilterConnection implements AutoCloseable {

    private static final ScheduledExecutorService WATCHDOG = watchdog();

    private final SocketChannel channel;
    private final String name;
    private final ByteBuffer header = ByteBuffer.allocate(5);

    private MilterConnection(SocketChannel channel, String name) {
        this.channel = channel;
        this.name = name;
    }

    static MilterConnection open(MilterEndpoint endpoint, Duration timeout) {
        SocketChannel channel;
        try {
            channel = endpoint.path() != null ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
        } catch (IOException e) {
            throw new MilterException("cannot open a socket: " + e.getMessage(), e);
        }
        var connection = new MilterConnection(channel, endpoint.toString());
        connection.underDeadline(timeout, "connecting", () -> {
            channel.connect(endpoint.socketAddress());
            return null;
        });
        return connection;
    }

    void send(Packet packet, Duration timeout) {
        var buffer = ByteBuffer.allocate(5 + packet.data().length);
        buffer.putInt(packet.data().length + 1).put((byte) packet.code()).put(packet.data()).flip();
        underDeadline(timeout, "sending '" + packet.code() + "'", () -> {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            return null;
        });
    }

    Packet receive(Duration timeout) {
        return underDeadline(timeout, "waiting for its reply", () -> {
            header.clear();
            readFully(header);
            header.flip();
            int length = header.getInt();
            char code = (char) (header.get() & 0xff);
            if (length < 1 || length > Protocol.MAX_PACKET) {
                throw new MilterException("a reply of " + length + " octets");
            }
            var data = ByteBuffer.allocate(length - 1);
            readFully(data);
            return new Packet(code, data.array());
        });
    }

    private void readFully(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new MilterException("the milter closed the connection");
            }
        }
    }

    private interface Io<T> {
        T run() throws IOException;
    }

    private <T> T underDeadline(Duration timeout, String doing, Io<T> io) {
        var expired = new java.util.concurrent.atomic.AtomicBoolean();
        ScheduledFuture<?> alarm = WATCHDOG.schedule(() -> {
            expired.set(true);
            closeQuietly();
        }, Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
        try {
            return io.run();
        } catch (IOException e) {
            closeQuietly();
            if (expired.get()) {
                throw new MilterException("no answer within " + Durations.words(timeout) + " (" + doing + ")");
            }
            throw new MilterException(doing + ": " + (e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage()), e);
        } catch (MilterException e) {
            closeQuietly();
            throw e;
        } catch (java.nio.channels.UnresolvedAddressException e) {
            closeQuietly();
            throw new MilterException(doing + ": the host name does not resolve");
        } catch (RuntimeException e) {
            closeQuietly();
            throw new MilterException(doing + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        } finally {
            alarm.cancel(false);
        }
    }

    boolean isOpen() {
        return channel.isOpen();
    }

    private void closeQuietly() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Closing is all that is left to do.
        }
    }

    @Override
    public void close() {
        closeQuietly();
    }

    @Override
    public String toString() {
        return name;
    }

    private static ScheduledExecutorService watchdog() {
        var executor = new ScheduledThreadPoolExecutor(1, r -> {
            var thread = new Thread(r, "milter-timeouts");
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    /** Durations in the words the config uses. */
    static final class Durations {
        private Durations() {
        }

        static String words(Duration d) {
            long ms = d.toMillis();
            return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
        }
    }
}
