package dev.mailflow.probe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailflow.testing.Dnsmasq;
import dev.mailflow.testing.ExternalTool;
import dev.mailflow.testing.PostfixPeer;
import dev.mailflow.testing.TestPki;
import dev.mailflow.testing.TestServer;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probe's TLS grade against Postfix and Mailflow on loopback, and the same servers scanned
 * by testssl.sh (-p -s): the same protocol versions and cipher classes offered or not. A
 * server that answers a command pipelined with STARTTLS inside TLS (written here, as the
 * CVE-2011-0411 servers did) is found out and graded F.
 */
class TlsGradeTest {

    @TempDir
    static Path tmp;

    static PostfixPeer postfix;
    static int postfixPort;
    static TestServer mailflow;
    static Dnsmasq dns;

    @BeforeAll
    static void start() throws Exception {
        var ca = TestPki.root("Mailflow Grade Test CA");
        postfixPort = Dnsmasq.freePort();
        postfix = PostfixPeer.start(tmp.resolve("postfix"), postfixPort, "grade.test", List.of("user@grade.test"), 9,
                ca.issue("mx.grade.test"));
        mailflow = TestServer.start();
        // The probe's reverse DNS goes here, never to the machine's resolver.
        dns = Dnsmasq.start(Dnsmasq.freePort(), List.of("--host-record=mx.grade.test,127.0.0.1",
                "--local=/127.in-addr.arpa/"), tmp.resolve("dnsmasq.log"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (postfix != null) {
            postfix.close();
        }
        if (mailflow != null) {
            mailflow.close();
        }
        if (dns != null) {
            dns.close();
        }
    }

    @Test
    void theGradeSeesWhatTestsslSeesInPostfix() throws Exception {
        compareWithTestssl("postfix", postfixPort);
    }

    @Test
    void theGradeSeesWhatTestsslSeesInMailflow() throws Exception {
        compareWithTestssl("mailflow", mailflow.port());
    }

    @Test
    void theProbeShowsTheGradeWithItsReasonsInTheMatrix() throws Exception {
        var r = dev.mailflow.testing.MainRunner.run("probe", "127.0.0.1:" + postfixPort, "--all-mx", "--helo",
                "probe.test", "--to", "user@grade.test", "--timeout", "10", "--dns-server", "127.0.0.1:" + dns.port());
        System.out.println(r.out());
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        var g = grade(postfixPort);
        assertThat(r.out()).contains("Every MX, every address").containsPattern("127\\.0\\.0\\.1 +\\[(PASS|WARN|FAIL)\\]")
                .contains("TLS grade " + g.grade() + ": accepts ").contains("cipher classes offered: ").contains("STARTTLS injection: not vulnerable")
                .contains("PTR       ");
        for (String reason : g.reasons()) {
            assertThat(r.out()).contains(reason);
        }
        var json = dev.mailflow.testing.MainRunner.run("probe", "127.0.0.1:" + postfixPort, "--all-mx", "--helo",
                "probe.test", "--to", "user@grade.test", "--timeout", "10", "--json", "--dns-server",
                "127.0.0.1:" + dns.port());
        var tls = com.fasterxml.jackson.databind.json.JsonMapper.builder().build().readTree(json.out())
                .path("mx").get(0).path("addresses").get(0).path("steps");
        JsonNode grade = null;
        for (JsonNode step : tls) {
            if (step.path("name").asText().equals("TLS")) {
                grade = step;
            }
        }
        assertThat(grade).isNotNull();
        assertThat(grade.path("details").path("grade").asText()).isEqualTo(g.grade());
        assertThat(grade.path("details").path("protocols").path("TLSv1.2").asBoolean()).isTrue();
        assertThat(grade.path("details").path("ciphers").has("STRONG_FS")).isTrue();
    }

    @Test
    void mailflowAndPostfixAreNotOpenToStarttlsInjection() {
        for (int port : List.of(postfixPort, mailflow.port())) {
            var g = grade(port);
            assertThat((String) g.details().get("starttlsInjection")).as("port %d", port).startsWith("not vulnerable");
        }
    }

    @Test
    void aServerThatAnswersAPipelinedCommandInsideTlsIsFoundOut() throws Exception {
        var issued = TestPki.selfSigned("injectable.test");
        try (var server = new ServerSocket(0, 8, InetAddress.getByName("127.0.0.1"))) {
            Thread.ofVirtual().start(() -> injectable(server, issued));
            var g = new TlsGrader("probe.test", "probe@probe.test", Duration.ofSeconds(5))
                    .grade("injectable.test", new InetSocketAddress("127.0.0.1", server.getLocalPort()), List.of());
            assertThat((String) g.details().get("starttlsInjection")).startsWith("vulnerable: answered 250");
            assertThat(g.grade()).isEqualTo("F");
            assertThat(g.status()).isEqualTo("FAIL");
            assertThat(g.reasons()).anyMatch(r -> r.contains("CVE-2011-0411"));
        }
    }

    /**
     * A server with the classic bug: it reads commands through one buffer, so what came with
     * STARTTLS is answered after the handshake, inside TLS.
     */
    private static void injectable(ServerSocket server, TestPki.Issued issued) {
        var factory = issued.serverContext().getSocketFactory();
        while (!server.isClosed()) {
            try (var socket = server.accept()) {
                socket.setSoTimeout(5000);
                var in = socket.getInputStream();
                var out = socket.getOutputStream();
                out.write("220 injectable.test ESMTP\r\n".getBytes(StandardCharsets.US_ASCII));
                String pending = "";
                boolean tls = false;
                while (!tls) {
                    pending += readSome(in);
                    while (pending.contains("\r\n")) {
                        String line = pending.substring(0, pending.indexOf("\r\n"));
                        pending = pending.substring(pending.indexOf("\r\n") + 2);
                        if (line.startsWith("EHLO")) {
                            out.write("250-injectable.test\r\n250 STARTTLS\r\n".getBytes(StandardCharsets.US_ASCII));
                        } else if (line.equals("STARTTLS")) {
                            out.write("220 go ahead\r\n".getBytes(StandardCharsets.US_ASCII));
                            tls = true;
                            break;
                        } else {
                            out.write("250 ok\r\n".getBytes(StandardCharsets.US_ASCII));
                        }
                    }
                }
                var t = (SSLSocket) factory.createSocket(socket, "127.0.0.1", socket.getPort(), true);
                t.setUseClientMode(false);
                t.startHandshake();
                if (pending.startsWith("NOOP")) {
                    t.getOutputStream().write("250 2.0.0 OK\r\n".getBytes(StandardCharsets.US_ASCII));
                    t.getOutputStream().flush();
                }
                readSome(t.getInputStream());
            } catch (Exception e) {
                // the grader's other probes end their sessions abruptly
            }
        }
    }

    private static String readSome(InputStream in) throws java.io.IOException {
        byte[] b = new byte[4096];
        int n = in.read(b);
        if (n < 0) {
            throw new java.io.EOFException();
        }
        return new String(b, 0, n, StandardCharsets.ISO_8859_1);
    }

    private static TlsGrader.Grade grade(int port) {
        return new TlsGrader("probe.test", "probe@probe.test", Duration.ofSeconds(10))
                .grade("mx.grade.test", new InetSocketAddress("127.0.0.1", port), List.of());
    }

    private void compareWithTestssl(String name, int port) throws Exception {
        String testssl = ExternalTool.require("testssl").toString();
        var g = grade(port);
        System.out.println(name + ": grade " + g.grade() + " " + g.reasons() + " " + g.details());
        assertThat(g.grade()).isIn("A", "B", "C", "F");

        Path json = tmp.resolve("testssl-" + name + ".json");
        Path log = tmp.resolve("testssl-" + name + ".txt");
        var pb = new ProcessBuilder(testssl, "--quiet", "--color", "0", "--nodns", "none", "--ip", "127.0.0.1",
                "--warnings", "off", "--connect-timeout", "10", "--openssl-timeout", "20", "-p", "-s",
                "--starttls", "smtp", "--jsonfile", json.toString(), "127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("TERM", "dumb");
        var p = pb.start();
        p.getOutputStream().close();
        assertThat(p.waitFor(4, TimeUnit.MINUTES)).as("testssl.sh finished").isTrue();
        assertThat(json).as("testssl.sh JSON; its output: %s", Files.readString(log)).exists();
        var testsslSays = new LinkedHashMap<String, Boolean>();
        for (JsonNode f : new ObjectMapper().readTree(json.toFile())) {
            String finding = f.path("finding").asText();
            testsslSays.put(f.path("id").asText(), finding.startsWith("offered"));
        }
        System.out.println("testssl.sh " + name + ": " + testsslSays);

        @SuppressWarnings("unchecked")
        var protocols = (Map<String, Boolean>) g.details().get("protocols");
        var ids = Map.of("SSLv3", "SSLv3", "TLSv1", "TLS1", "TLSv1.1", "TLS1_1", "TLSv1.2", "TLS1_2", "TLSv1.3",
                "TLS1_3");
        for (var e : ids.entrySet()) {
            assertThat(protocols.get(e.getKey())).as("%s: %s (testssl.sh %s)", name, e.getKey(), e.getValue())
                    .isEqualTo(testsslSays.get(e.getValue()));
        }
        @SuppressWarnings("unchecked")
        var ciphers = (Map<String, Boolean>) g.details().get("ciphers");
        // testssl.sh 3.2 names our eight classes; 3.0 (Debian 12) has AVERAGE for the CBC class and one
        // STRONG for both AEAD classes.
        for (var c : CipherClass.values()) {
            String id = "cipherlist_" + c.id;
            if (testsslSays.containsKey(id)) {
                assertThat(ciphers.get(c.id)).as("%s: cipher class %s", name, c.id).isEqualTo(testsslSays.get(id));
            }
        }
        if (testsslSays.containsKey("cipherlist_AVERAGE")) {
            assertThat(ciphers.get("OBSOLETED")).as("%s: CBC (testssl.sh 3.0's AVERAGE)", name)
                    .isEqualTo(testsslSays.get("cipherlist_AVERAGE"));
            assertThat(ciphers.get("STRONG_FS") || ciphers.get("STRONG_NOFS")).as("%s: AEAD (3.0's STRONG)", name)
                    .isEqualTo(testsslSays.get("cipherlist_STRONG"));
        } else {
            assertThat(testsslSays).as("testssl.sh's cipher classes").containsKeys("cipherlist_OBSOLETED",
                    "cipherlist_STRONG_FS", "cipherlist_STRONG_NOFS");
        }
        assertThat(testsslSays).containsKeys("cipherlist_NULL", "cipherlist_aNULL", "cipherlist_EXPORT",
                "cipherlist_LOW", "cipherlist_3DES_IDEA");
    }
}
