package dev.mailflow.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailflow.testing.ExternalTool;
import dev.mailflow.testing.ServerProcess;
import dev.mailflow.testing.TestServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS of the receive connectors as outside tools judge it: openssl s_client asking for a
 * renegotiation, and testssl.sh's protocol, cipher, forward secrecy and vulnerability checks
 * against a STARTTLS and an implicit-TLS port. Everything talks to 127.0.0.1 only.
 */
class TlsHardeningTest {

    /**
     * testssl.sh severities that fail the test. testssl prints "NOT ok" with MEDIUM, HIGH and
     * CRITICAL findings in these sections (its own red and orange), LOW is advice ("not
     * offered" of something optional). FATAL means the scan itself did not run.
     */
    static final Set<String> FAILING_SEVERITIES = Set.of("MEDIUM", "HIGH", "CRITICAL", "FATAL");

    /** Findings a complete run of the chosen sections reports: a run without them proves nothing. */
    static final Set<String> EXPECTED_IDS = Set.of("SSLv2", "SSLv3", "TLS1", "TLS1_1", "TLS1_2", "TLS1_3",
            "cipherlist_NULL", "cipherlist_EXPORT", "cipherlist_LOW", "PFS", "heartbleed", "CCS", "ROBOT",
            "secure_renego", "secure_client_renego", "POODLE_SSL", "SWEET32", "FREAK", "LOGJAM", "BEAST",
            "LUCKY13", "RC4");

    /** Each testssl run (the two run side by side) is stopped after this. */
    static final Duration SCAN_LIMIT = Duration.ofMinutes(4);

    @TempDir
    static Path tmp;

    static TestServer server;
    static int implicitPort;

    @BeforeAll
    static void start() throws Exception {
        implicitPort = dev.mailflow.testing.Dnsmasq.freePort();
        server = TestServer.start(List.of(), List.of("[[receive_connector]]", "name = \"Implicit TLS\"",
                "bind = \"127.0.0.1:" + implicitPort + "\"", "tls = \"implicit\"", "anonymous = false"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void clientInitiatedRenegotiationIsRefused() throws Exception {
        String openssl = ExternalTool.require("openssl").toString();
        assertRenegotiationRefused(openssl, server.port());
    }

    @Test
    void clientInitiatedRenegotiationIsRefusedByMailflowServe() throws Exception {
        // A process of its own: JSSE there is set up by Main, not by the test's JVM.
        String openssl = ExternalTool.require("openssl").toString();
        Path config = tmp.resolve("serve.toml");
        Files.writeString(config, """
                hostname = "mail.example.test"
                data_dir = "serve-data"

                [[receive_connector]]
                name = "Inbound"
                bind = "127.0.0.1:0"

                [web]
                enabled = false
                """);
        try (var process = ServerProcess.start(config)) {
            assertRenegotiationRefused(openssl, process.port("Inbound"));
        }
    }

    /**
     * openssl s_client over STARTTLS with TLS 1.2 (1.3 has no renegotiation): a NOOP is
     * answered, then {@code R} (s_client's renegotiate command, alone on its line) must end
     * the connection with a handshake_failure alert, where a server that renegotiates
     * answers a second NOOP.
     */
    private static void assertRenegotiationRefused(String openssl, int port) throws Exception {
        var p = new ProcessBuilder(openssl, "s_client", "-starttls", "smtp", "-tls1_2", "-connect",
                "127.0.0.1:" + port).redirectErrorStream(true).start();
        var output = new StringBuffer();
        var reader = CompletableFuture.runAsync(() -> copy(p.getInputStream(), output));
        try (OutputStream in = p.getOutputStream()) {
            dev.mailflow.testing.Await.until("the TLS handshake", () -> output.toString().contains("\n---\n")
                    && output.toString().contains("Verify return code"));
            type(in, "NOOP");
            dev.mailflow.testing.Await.until("the first NOOP's answer", () -> count(output, "250 2.0.0 OK") == 1);
            type(in, "R");
            dev.mailflow.testing.Await.until("s_client renegotiating", () -> output.toString().contains("RENEGOTIATING"));
            type(in, "NOOP");
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("the server ends the connection\n" + output).isTrue();
        } catch (java.io.IOException e) {
            // s_client already gone: the connection ended, as it should
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        reader.get(10, TimeUnit.SECONDS);
        String out = output.toString();
        assertThat(out).contains("Protocol  : TLSv1.2").contains("RENEGOTIATING");
        assertThat(count(output, "250 2.0.0 OK")).as("no NOOP answered after the renegotiation\n" + out).isEqualTo(1);
        assertThat(out).as("the server's alert").contains("alert handshake failure");
    }

    private static void type(OutputStream in, String line) throws java.io.IOException {
        in.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
        in.flush();
    }

    private static int count(StringBuffer output, String s) {
        String all = output.toString();
        int n = 0;
        for (int i = all.indexOf(s); i >= 0; i = all.indexOf(s, i + 1)) {
            n++;
        }
        return n;
    }

    private static void copy(InputStream from, StringBuffer to) {
        byte[] buffer = new byte[4096];
        try {
            for (int n; (n = from.read(buffer)) > 0; ) {
                to.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            }
        } catch (java.io.IOException e) {
            // the process ended
        }
    }

    @Test
    void testsslFindsNothingNotOkOnTheStarttlsAndImplicitTlsPorts() throws Exception {
        String testssl = ExternalTool.require("testssl").toString();
        var starttls = scan(testssl, "starttls", server.port(), List.of("--starttls", "smtp"));
        var implicit = scan(testssl, "implicit", implicitPort, List.of());
        var problems = new ArrayList<String>();
        for (var scan : List.of(starttls.get(), implicit.get())) {
            problems.addAll(scan.problems());
        }
        assertThat(problems).as("testssl.sh findings (full output in %s)", tmp).isEmpty();
    }

    record Scan(String name, List<String> problems) {
    }

    /**
     * One testssl.sh run, offline and bounded: the IP given and no DNS lookup at all
     * ({@code --nodns none}), no phoning out (its default), protocols ({@code -p}), cipher
     * categories ({@code -s}), forward secrecy ({@code -f}) and vulnerabilities ({@code -U},
     * renegotiation among them); the findings from its JSON file.
     */
    private static CompletableFuture<Scan> scan(String testssl, String name, int port, List<String> mode) {
        Path json = tmp.resolve("testssl-" + name + ".json");
        Path log = tmp.resolve("testssl-" + name + ".txt");
        var command = new ArrayList<>(List.of(testssl, "--quiet", "--color", "0", "--nodns", "none", "--ip",
                "127.0.0.1", "--warnings", "off", "--connect-timeout", "10", "--openssl-timeout", "20", "-p", "-s",
                "-f", "-U", "--jsonfile", json.toString()));
        command.addAll(mode);
        command.add("127.0.0.1:" + port);
        return CompletableFuture.supplyAsync(() -> {
            try {
                var pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
                pb.environment().put("TERM", "dumb");
                var p = pb.start();
                p.getOutputStream().close();
                if (!p.waitFor(SCAN_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return new Scan(name, List.of(name + ": testssl.sh did not finish within " + SCAN_LIMIT));
                }
                String text = Files.readString(log, StandardCharsets.UTF_8);
                System.out.println("testssl.sh " + name + " (127.0.0.1:" + port + "):\n" + text);
                var problems = new ArrayList<String>();
                if (!Files.exists(json)) {
                    return new Scan(name, List.of(name + ": no JSON written; output:\n" + text));
                }
                var seen = new java.util.HashSet<String>();
                for (JsonNode f : new ObjectMapper().readTree(json.toFile())) {
                    String id = f.path("id").asText();
                    String severity = f.path("severity").asText();
                    seen.add(id);
                    if (FAILING_SEVERITIES.contains(severity)) {
                        problems.add(name + ": " + id + " " + severity + ": " + f.path("finding").asText());
                    }
                }
                for (String id : EXPECTED_IDS) {
                    if (!seen.contains(id)) {
                        problems.add(name + ": no finding " + id + " (the scan did not run that check)");
                    }
                }
                text.lines().filter(l -> l.contains("NOT ok")).forEach(l -> problems.add(name + ": " + l.strip()));
                return new Scan(name, problems);
            } catch (Exception e) {
                return new Scan(name, List.of(name + ": " + e));
            }
        });
    }
}
