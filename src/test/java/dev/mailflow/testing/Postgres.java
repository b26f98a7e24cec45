package dev.mailflow.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private PostgreSQL cluster for a test (Debian's postgresql): initdb into a temp folder,
 * the server on a loopback port with its socket in that folder, run as the postgres user;
 * never the machine's own cluster.
 */
public final class Postgres implements AutoCloseable {

    private final Path bin;
    private final Path dir;
    private final int port;

    private Postgres(Path bin, Path dir, int port) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
    }

    /** Debian keeps the binaries under /usr/lib/postgresql/VERSION/bin. */
    static Path binaries() {
        for (String v : List.of("17", "16", "15", "14", "13")) {
            Path p = Path.of("/usr/lib/postgresql", v, "bin");
            if (Files.isExecutable(p.resolve("initdb")) && Files.isExecutable(p.resolve("pg_ctl"))) {
                return p;
            }
        }
        return ExternalTool.requireFile("/usr/lib/postgresql/15/bin/initdb", "postgresql").getParent();
    }

    public static Postgres start(Path base) throws Exception {
        ExternalTool.requireRoot("a private PostgreSQL cluster is made and run as the postgres user");
        Path bin = binaries();
        Path dir = base.resolve("pg");
        Files.createDirectories(dir);
        run(List.of("chmod", "755", base.toString()));
        run(List.of("chown", "postgres:postgres", dir.toString()));
        run(List.of("runuser", "-u", "postgres", "--", bin.resolve("initdb").toString(), "-D",
                dir.resolve("data").toString(), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8",
                "--locale=C"));
        int port = Dnsmasq.freePort();
        var pg = new Postgres(bin, dir, port);
        pg.ctl("start", "-w", "-t", "30", "-l", dir.resolve("server.log").toString(), "-o",
                "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off");
        return pg;
    }

    public int port() {
        return port;
    }

    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** Runs SQL through psql as the superuser, on {@code database}. */
    public String sql(String database, String sql) throws Exception {
        Path file = dir.resolve("input.sql");
        Files.writeString(file, sql);
        run(List.of("chown", "postgres:postgres", file.toString()));
        return run(List.of("runuser", "-u", "postgres", "--", bin.resolve("psql").toString(), "-v",
                "ON_ERROR_STOP=1", "-q", "-h", dir.toString(), "-p", String.valueOf(port), "-d", database, "-f",
                file.toString()));
    }

    public void stop() throws Exception {
        ctl("stop", "-m", "fast", "-w");
    }

    public void startAgain() throws Exception {
        ctl("start", "-w", "-t", "30", "-l", dir.resolve("server.log").toString(), "-o",
                "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off");
    }

    private void ctl(String... args) throws Exception {
        var cmd = new ArrayList<>(List.of("runuser", "-u", "postgres", "--", bin.resolve("pg_ctl").toString(),
                "-D", dir.resolve("data").toString()));
        cmd.addAll(List.of(args));
        run(cmd);
    }

    @Override
    public void close() throws Exception {
        try {
            stop();
        } catch (AssertionError e) {
            // already stopped
        }
    }

    private static String run(List<String> command) throws Exception {
        var p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(command + " failed: " + out);
        }
        return out;
    }
}
