package dev.mailflow.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private OpenDKIM (Debian's {@code opendkim}) as a signing milter on a loopback port, in the
 * foreground, with a key the test made: it signs mail from {@code domain} that comes from
 * 127.0.0.1 (its InternalHosts).
 */
public final class OpenDkim implements AutoCloseable {

    private final Process process;
    private final int port;

    private OpenDkim(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static OpenDkim start(Path dir, String domain, String selector, String privateKeyPem) throws Exception {
        Path opendkim = ExternalTool.require("opendkim");
        int port = Dnsmasq.freePort();
        Files.createDirectories(dir);
        Path key = dir.resolve(selector + ".private");
        Files.writeString(key, privateKeyPem);
        Files.writeString(dir.resolve("opendkim.conf"), """
                Mode s
                Domain %s
                Selector %s
                KeyFile %s
                Socket inet:%d@127.0.0.1
                Background no
                PidFile %s
                Syslog no
                Canonicalization relaxed/simple
                RequireSafeKeys no
                InternalHosts 127.0.0.1
                """.formatted(domain, selector, key.toAbsolutePath(), port, dir.resolve("opendkim.pid").toAbsolutePath()));
        var process = new ProcessBuilder(List.of(opendkim.toString(), "-f", "-x",
                dir.resolve("opendkim.conf").toAbsolutePath().toString())).redirectErrorStream(true)
                .redirectOutput(dir.resolve("opendkim.out").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("opendkim exited (" + process.exitValue() + "): "
                        + Files.readString(dir.resolve("opendkim.out")));
            }
            try (var s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return new OpenDkim(process, port);
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        process.destroyForcibly();
        throw new AssertionError("opendkim did not listen on 127.0.0.1:" + port + " within 30 s");
    }

    public String milter() {
        return "inet:127.0.0.1:" + port;
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
