package dev.mailflow.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private OpenLDAP slapd for a test (Debian's slapd package): its own slapd.conf, schema
 * and mdb database in a temp folder, loaded with slapadd from
 * {@code dev/mailflow/directory/directory.ldif}, listening on a free loopback port only, in
 * the foreground ({@code -d 0}) as a child of the test, killed at the end. Never the
 * machine's own slapd service or its configuration (only Debian's schema files are read).
 * StartTLS when given a certificate, and then required for everything else.
 */
public final class Slapd implements AutoCloseable {

    private static final String SCHEMA = "/etc/ldap/schema";

    private final Path slapd;
    private final Path dir;
    private final int port;
    private Process process;

    private Slapd(Path slapd, Path dir, int port) {
        this.slapd = slapd;
        this.dir = dir;
        this.port = port;
    }

    /**
     * @param certificate the server's chain (PEM) for StartTLS, or null for none
     * @param key         its private key (PEM)
     */
    public static Slapd start(Path base, Path certificate, Path key) throws Exception {
        Path slapd = ExternalTool.requireFile("/usr/sbin/slapd", "slapd");
        Path slapadd = ExternalTool.requireFile("/usr/sbin/slapadd", "slapd");
        Path dir = base.resolve("slapd");
        Files.createDirectories(dir.resolve("data"));
        Path schema = dir.resolve("mailflow.schema");
        Path ldif = dir.resolve("directory.ldif");
        try (var in = Slapd.class.getResourceAsStream("/dev/mailflow/directory/mailflow.schema")) {
            Files.copy(in, schema);
        }
        try (var in = Slapd.class.getResourceAsStream("/dev/mailflow/directory/directory.ldif")) {
            Files.copy(in, ldif);
        }
        var conf = new StringBuilder();
        for (String s : List.of("core", "cosine", "inetorgperson")) {
            conf.append("include ").append(SCHEMA).append('/').append(s).append(".schema\n");
        }
        conf.append("include ").append(schema).append('\n');
        conf.append("pidfile ").append(dir.resolve("slapd.pid")).append('\n');
        conf.append("argsfile ").append(dir.resolve("slapd.args")).append('\n');
        conf.append("modulepath /usr/lib/ldap\nmoduleload back_mdb\n");
        if (certificate != null) {
            conf.append("TLSCertificateFile ").append(certificate).append('\n');
            conf.append("TLSCertificateKeyFile ").append(key).append('\n');
            conf.append("security tls=1\n"); // nothing but StartTLS on a plain connection: proof that TLS is used
        }
        conf.append("""
                database mdb
                maxsize 10485760
                suffix "dc=example,dc=test"
                rootdn "cn=admin,dc=example,dc=test"
                rootpw admin-not-used
                """);
        conf.append("directory ").append(dir.resolve("data")).append('\n');
        conf.append("""
                access to attrs=userPassword by self read by anonymous auth by * none
                access to * by users read by * none
                """);
        Files.writeString(dir.resolve("slapd.conf"), conf);
        run(List.of(slapadd.toString(), "-q", "-f", dir.resolve("slapd.conf").toString(), "-l", ldif.toString()));
        var s = new Slapd(slapd, dir, Dnsmasq.freePort());
        s.startAgain();
        return s;
    }

    public int port() {
        return port;
    }

    public String url() {
        return "ldap://127.0.0.1:" + port;
    }

    /** Starts (again) on the same port and waits until it accepts connections. */
    public void startAgain() throws Exception {
        process = new ProcessBuilder(slapd.toString(), "-h", "ldap://127.0.0.1:" + port + "/", "-f",
                dir.resolve("slapd.conf").toString(), "-d", "0").redirectErrorStream(true)
                .redirectOutput(dir.resolve("slapd.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("slapd stopped at start: " + Files.readString(dir.resolve("slapd.log")));
            }
            try (var socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("slapd does not listen on 127.0.0.1:" + port + ": "
                + Files.readString(dir.resolve("slapd.log")));
    }

    /** Stops it (SIGTERM, then SIGKILL after 10 seconds) and waits until it has. */
    public void stop() throws Exception {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws Exception {
        stop();
    }

    private static void run(List<String> command) throws Exception {
        var p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(command + " failed: " + out);
        }
    }
}
