package dev.mailflow.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A DNSSEC-validating resolver on loopback for DANE tests: unbound (Debian's {@code unbound})
 * serving test zones from files, those to be signed signed with ldns-keygen and ldns-signzone
 * ({@code ldnsutils}), with the signed zones' DS records as its trust anchor. Answers about a
 * signed zone come back with the AD bit; about an unsigned one without it; about a zone whose
 * signature was broken after signing ({@link Builder#breakSignature}), SERVFAIL (bogus). The
 * same DS records are in {@link #trustAnchorFile()}, for a validator of our own.
 *
 * <p>Every zone gets its SOA and NS (ns.&lt;zone&gt; at 127.0.0.1); the lines given are the
 * rest, in zone-file form relative to the zone ({@code mx IN A 127.0.0.1}). Unbound runs in the
 * foreground as the current user ({@code username: ""}, so that it works as root in CI without
 * dropping privileges), on a free loopback port, asks nothing outside, and is killed by close().
 */
public final class Unbound implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path trustAnchors;
    private final Map<String, Path> zoneFiles;
    private final Path log;

    private Unbound(Process process, int port, Path trustAnchors, Map<String, Path> zoneFiles, Path log) {
        this.process = process;
        this.port = port;
        this.trustAnchors = trustAnchors;
        this.zoneFiles = zoneFiles;
        this.log = log;
    }

    /** @param dir a directory of the test's own (keys, zones, config and log go there) */
    public static Builder builder(Path dir) {
        return new Builder(dir);
    }

    public int port() {
        return port;
    }

    /** "127.0.0.1:port", as {@code [delivery] dns_server} takes it. */
    public String server() {
        return "127.0.0.1:" + port;
    }

    /** The DS records of every signed zone, in zone-file form (the test trust anchor). */
    public Path trustAnchorFile() {
        return trustAnchors;
    }

    /** The file unbound serves for a zone: the signed (and maybe broken) one for a signed zone. */
    public Path zoneFile(String zone) {
        return zoneFiles.get(zone);
    }

    public Path logFile() {
        return log;
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    public static final class Builder {
        private record ZoneSpec(String name, List<String> lines, boolean signed) {
        }

        private record Breakage(String owner, String type) {
        }

        private final Path dir;
        private final List<ZoneSpec> zones = new ArrayList<>();
        private final List<Breakage> breakages = new ArrayList<>();

        private Builder(Path dir) {
            this.dir = dir;
        }

        /** A zone signed with a fresh KSK and ZSK (ECDSA P-256), its DS in the trust anchor. */
        public Builder signedZone(String zone, String... lines) {
            zones.add(new ZoneSpec(strip(zone), List.of(lines), true));
            return this;
        }

        /** A zone served unsigned: its answers are insecure. */
        public Builder unsignedZone(String zone, String... lines) {
            zones.add(new ZoneSpec(strip(zone), List.of(lines), false));
            return this;
        }

        /**
         * After signing, one bit of the signature over {@code owner}'s {@code type} records is
         * flipped: a validating resolver then finds that RRset bogus.
         *
         * @param owner the full name, e.g. "_25._tcp.mx.bogus.test"
         */
        public Builder breakSignature(String owner, String type) {
            breakages.add(new Breakage(strip(owner), type.toUpperCase(java.util.Locale.ROOT)));
            return this;
        }

        public Unbound start() throws Exception {
            Path unbound = ExternalTool.require("unbound");
            Path keygen = ExternalTool.require("ldns-keygen");
            Path signzone = ExternalTool.require("ldns-signzone");
            Files.createDirectories(dir);
            var anchors = new StringBuilder();
            var served = new LinkedHashMap<String, Path>();
            for (var z : zones) {
                Path file = dir.resolve(z.name() + ".zone");
                Files.writeString(file, zoneText(z));
                if (z.signed()) {
                    String ksk = run(dir, keygen.toString(), "-a", "ECDSAP256SHA256", "-k", z.name()).strip();
                    String zsk = run(dir, keygen.toString(), "-a", "ECDSAP256SHA256", z.name()).strip();
                    run(dir, signzone.toString(), "-n", file.toString(), ksk, zsk);
                    anchors.append(Files.readString(dir.resolve(ksk + ".ds")));
                    file = dir.resolve(z.name() + ".zone.signed");
                }
                served.put(z.name(), file);
            }
            for (var b : breakages) {
                breakSignature(served, b);
            }
            Path anchorFile = dir.resolve("trust-anchors.ds");
            Files.writeString(anchorFile, anchors.toString());
            int port = Dnsmasq.freePort();
            Path log = dir.resolve("unbound.log");
            Path conf = dir.resolve("unbound.conf");
            Files.writeString(conf, config(port, anchorFile, log, served, !anchors.isEmpty()));
            var process = new ProcessBuilder(unbound.toString(), "-d", "-c", conf.toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("unbound.out").toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new AssertionError("unbound ended at start: " + Files.readString(dir.resolve("unbound.out"))
                            + (Files.exists(log) ? Files.readString(log) : ""));
                }
                try (var s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    return new Unbound(process, port, anchorFile, Map.copyOf(served), log);
                } catch (IOException e) {
                    Thread.sleep(20);
                }
            }
            process.destroyForcibly();
            throw new AssertionError("unbound did not listen on " + port + "; see " + log);
        }

        private String zoneText(ZoneSpec z) {
            var sb = new StringBuilder();
            sb.append("$ORIGIN ").append(z.name()).append(".\n$TTL 300\n");
            sb.append("@ IN SOA ns.").append(z.name()).append(". hostmaster.").append(z.name())
                    .append(". 1 3600 600 86400 300\n");
            sb.append("@ IN NS ns.").append(z.name()).append(".\n");
            sb.append("ns IN A 127.0.0.1\n");
            for (String line : z.lines()) {
                sb.append(line).append('\n');
            }
            return sb.toString();
        }

        private static void breakSignature(Map<String, Path> served, Breakage b) throws IOException {
            for (Path file : served.values()) {
                var lines = new ArrayList<>(Files.readAllLines(file));
                for (int i = 0; i < lines.size(); i++) {
                    String[] f = lines.get(i).trim().split("\\s+");
                    if (f.length > 9 && f[0].equalsIgnoreCase(b.owner() + ".") && f[3].equals("RRSIG")
                            && f[4].equalsIgnoreCase(b.type())) {
                        byte[] sig = Base64.getDecoder().decode(f[f.length - 1]);
                        sig[sig.length / 2] ^= 0x01;
                        f[f.length - 1] = Base64.getEncoder().encodeToString(sig);
                        lines.set(i, String.join("\t", f));
                        Files.write(file, lines);
                        return;
                    }
                }
            }
            throw new AssertionError("no RRSIG over " + b.owner() + " " + b.type() + " in the signed zones");
        }

        private static String config(int port, Path anchors, Path log, Map<String, Path> served, boolean anySigned) {
            var sb = new StringBuilder();
            sb.append("server:\n");
            sb.append("  interface: 127.0.0.1\n");
            sb.append("  port: ").append(port).append('\n');
            sb.append("  do-daemonize: no\n");
            sb.append("  username: \"\"\n");
            sb.append("  chroot: \"\"\n");
            sb.append("  directory: \"").append(anchors.getParent()).append("\"\n");
            sb.append("  pidfile: \"\"\n");
            sb.append("  use-syslog: no\n");
            sb.append("  logfile: \"").append(log).append("\"\n");
            sb.append("  verbosity: 1\n");
            sb.append("  val-log-level: 2\n");
            sb.append("  ede: yes\n"); // RFC 8914 reasons with SERVFAIL
            sb.append("  num-threads: 1\n");
            sb.append("  outgoing-range: 64\n");
            sb.append("  do-not-query-localhost: no\n");
            sb.append("  module-config: \"validator iterator\"\n");
            if (anySigned) {
                sb.append("  trust-anchor-file: \"").append(anchors).append("\"\n");
            }
            sb.append("  domain-insecure: \".\"\n");
            sb.append("  local-zone: \"test.\" nodefault\n"); // RFC 6761: unbound answers NXDOMAIN otherwise
            sb.append("remote-control:\n  control-enable: no\n");
            for (var e : served.entrySet()) {
                sb.append("auth-zone:\n");
                sb.append("  name: \"").append(e.getKey()).append(".\"\n");
                sb.append("  zonefile: \"").append(e.getValue()).append("\"\n");
                sb.append("  for-upstream: yes\n");
                sb.append("  for-downstream: no\n");
            }
            return sb.toString();
        }

        private static String run(Path dir, String... cmd) throws Exception {
            var p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", cmd) + " failed: " + out);
            }
            return out;
        }

        private static String strip(String name) {
            return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        }
    }
}
