package dev.mailflow.client;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One deadline for a whole exchange on a socket: a socket timeout bounds each read, so a peer
 * that trickles a byte before each one runs out (a TLS handshake, a policy fetch) could hold
 * the caller for hours. At the deadline the socket is closed, abortively (no lingering, no
 * waiting for the peer's TLS close_notify), and whatever blocks on it fails at once.
 */
public final class SocketDeadline implements AutoCloseable {

    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        var t = new Thread(r, "socket-deadline");
        t.setDaemon(true);
        return t;
    });

    private final ScheduledFuture<?> task;
    private volatile boolean fired;

    private SocketDeadline(Socket socket, long delayNanos) {
        this.task = TIMER.schedule(() -> {
            fired = true;
            abort(socket);
        }, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    }

    /** Closes {@code socket} (the plain one under any TLS) when {@code within} has passed. */
    public static SocketDeadline closeAfter(Socket socket, Duration within) {
        return new SocketDeadline(socket, within.toNanos());
    }

    /** Closes {@code socket} at {@code deadline}, a {@link System#nanoTime()} value. */
    public static SocketDeadline closeAt(Socket socket, long deadline) {
        return new SocketDeadline(socket, deadline - System.nanoTime());
    }

    /** Whether the deadline passed and the socket was closed. */
    public boolean fired() {
        return fired;
    }

    /** Closes a socket at once: RST, without waiting for anything the peer may still send. */
    public static void abort(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            // already closed
        }
        try {
            socket.close();
        } catch (IOException e) {
            // nothing more to do
        }
    }

    /** The exchange ended in time: the socket stays open. */
    @Override
    public void close() {
        task.cancel(false);
    }
}
