package dev.mailflow.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private rspamd (Debian's {@code rspamd}) as a milter on a loopback port: its proxy worker with
 * {@code milter = yes} scanning in itself, every file in a temp folder, no module that reaches the
 * network (no C filters, only {@code milter_headers}), its DNS pointed at a loopback port where
 * nothing answers. Started in the foreground; {@code --insecure} because CI runs as root.
 */
public final class Rspamd implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path dir;

    private Rspamd(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    public static Rspamd start(Path dir) throws Exception {
        Path rspamd = ExternalTool.require("rspamd");
        int port = Dnsmasq.freePort();
        int deadDns = Dnsmasq.freePort();
        Files.createDirectories(dir);
        String d = dir.toAbsolutePath().toString();
        Files.writeString(dir.resolve("rspamd.conf"), """
                options {
                  pidfile = "%1$s/rspamd.pid";
                  filters = "";
                  explicit_modules = [];
                  local_addrs = [];
                  dns { nameserver = ["127.0.0.1:%3$d"]; timeout = 1s; retransmits = 1; }
                  cache_file = "%1$s/symbols.cache";
                  dynamic_conf = "%1$s/rspamd_dynamic";
                  history_file = "%1$s/rspamd.history";
                  control_socket = "%1$s/rspamd.sock mode=0600";
                  tempdir = "%1$s";
                  url_tld = "${SHAREDIR}/effective_tld_names.dat";
                }
                logging { type = "file"; filename = "%1$s/rspamd.log"; level = "info"; }
                actions { reject = 15; add_header = 6; greylist = 4; }
                worker "rspamd_proxy" {
                  bind_socket = "127.0.0.1:%2$d";
                  milter = yes;
                  timeout = 120s;
                  upstream "local" { default = yes; self_scan = yes; }
                  count = 1;
                }
                modules { path = "${PLUGINSDIR}/milter_headers.lua"; }
                milter_headers {
                  use = ["x-spamd-result", "x-rspamd-queue-id", "x-spam-status"];
                  skip_local = false;
                  skip_authenticated = false;
                }
                """.formatted(d, port, deadDns));
        var cmd = List.of(rspamd.toString(), "-f", "-i", "-c", d + "/rspamd.conf", "--var=DBDIR=" + d,
                "--var=RUNDIR=" + d, "--var=LOGDIR=" + d);
        var process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("rspamd.out").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("rspamd exited (" + process.exitValue() + "): " + tail(dir));
            }
            try (var s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return new Rspamd(process, port, dir);
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        process.destroyForcibly();
        throw new AssertionError("rspamd did not listen on 127.0.0.1:" + port + " within 90 s: " + tail(dir));
    }

    /** The milter address for the {@code milters} key. */
    public String milter() {
        return "inet:127.0.0.1:" + port;
    }

    public String log() throws IOException {
        Path log = dir.resolve("rspamd.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    private static String tail(Path dir) {
        try {
            var all = (Files.exists(dir.resolve("rspamd.out")) ? Files.readString(dir.resolve("rspamd.out")) : "")
                    + (Files.exists(dir.resolve("rspamd.log")) ? Files.readString(dir.resolve("rspamd.log")) : "");
            return all.length() > 3000 ? all.substring(all.length() - 3000) : all;
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
