package dev.mailflow.testing;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * dnsmasq (Debian's package) on a loopback port, serving the test's records only: every name
 * under {@code .test} is local, so unknown names get NXDOMAIN and nothing is asked upstream.
 */
public final class Dnsmasq implements AutoCloseable {

    private final Process process;
    private final int port;

    private Dnsmasq(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** A free UDP and TCP port on 127.0.0.1 (checked, then released). */
    public static int freePort() throws IOException {
        for (int i = 0; i < 50; i++) {
            int p;
            try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                p = s.getLocalPort();
            }
            try (var d = new DatagramSocket(p, InetAddress.getLoopbackAddress())) {
                return p;
            } catch (IOException e) {
                // taken for UDP: try another
            }
        }
        throw new IOException("no free port");
    }

    /** A free port, for tests that want one where nothing listens. */
    public static int freePortQuietly() {
        try {
            return freePort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * @param port    where to listen (UDP and TCP on 127.0.0.1)
     * @param records dnsmasq options such as {@code --mx-host=remote.test,mx.remote.test,10}
     */
    public static Dnsmasq start(int port, List<String> records, Path logFile) throws Exception {
        Path exe = ExternalTool.require("dnsmasq");
        var cmd = new ArrayList<>(List.of(exe.toString(), "--keep-in-foreground", "--port=" + port,
                "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts", "--conf-file=/dev/null",
                "--pid-file=", "--user=root", "--local=/test/", "--log-facility=" + logFile));
        cmd.addAll(records);
        var p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logFile.resolveSibling("dnsmasq.out")
                .toFile()).start();
        // Wait until it answers on TCP.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new AssertionError("dnsmasq ended at start; see " + logFile);
            }
            try (var s = new java.net.Socket("127.0.0.1", port)) {
                return new Dnsmasq(p, port);
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        p.destroyForcibly();
        throw new AssertionError("dnsmasq did not listen on " + port);
    }

    public int port() {
        return port;
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
