package dev.mailflow.server.protection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.queue.TrackingEvent;
import dev.mailflow.queue.TrackingLog;
import dev.mailflow.testing.Dnsmasq;
import dev.mailflow.testing.SmtpTestClient;
import dev.mailflow.testing.TestServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connection filtering against a real DNS server: dnsmasq on a loopback port serving a block
 * list with RFC 5782's test points (127.0.0.2 listed, 127.0.0.1 not), a list that answers with
 * its error code 127.255.255.254, and reverse zones for forward-confirmed reverse DNS. The
 * clients connect from different loopback addresses (Linux answers all of 127.0.0.0/8 on lo),
 * so one is listed and another not.
 */
class ConnectionFilteringEndToEndTest {

    static final String ZEN = "zen.example-list.test";
    static final String QUOTA = "quota.example-list.test";

    @TempDir
    static Path tmp;

    static Dnsmasq dns;

    @BeforeAll
    static void startDns() throws Exception {
        dns = Dnsmasq.start(Dnsmasq.freePort(), List.of(
                "--address=/2.0.0.127." + ZEN + "/127.0.0.2",           // RFC 5782 test point: listed
                "--txt-record=2.0.0.127." + ZEN + ",RFC 5782 test point",
                "--address=/3.0.0.127." + QUOTA + "/127.255.255.254",   // the list refuses us
                "--local=/127.in-addr.arpa/",                           // no PTR: NXDOMAIN, not REFUSED
                "--host-record=client4.example.test,127.0.0.4",          // A and PTR: confirmed
                "--ptr-record=5.0.0.127.in-addr.arpa,liar.example.test",
                "--address=/liar.example.test/127.0.0.9"), tmp.resolve("dnsmasq.log"));
    }

    @AfterAll
    static void stopDns() throws Exception {
        if (dns != null) {
            dns.close();
        }
    }

    private static List<String> delivery() {
        return List.of("dns_server = \"127.0.0.1:" + dns.port() + "\"");
    }

    private static List<TrackingEvent> rejections(TestServer server) throws Exception {
        return TrackingLog.search(server.dataDir().resolve("logs"), null, e -> e.event().equals("REJECT"));
    }

    private static String protocolLog(TestServer server) throws Exception {
        var sb = new StringBuilder();
        try (Stream<Path> files = Files.list(server.dataDir().resolve("logs"))) {
            for (Path p : files.filter(f -> f.getFileName().toString().startsWith("smtp-receive-default-frontend"))
                    .toList()) {
                sb.append(Files.readString(p));
            }
        }
        return sb.toString();
    }

    @Test
    void aListedClientIsRefusedAndAnotherNot() throws Exception {
        try (var server = TestServer.start(List.of("dnsbl = [\"" + ZEN + "\", \"" + QUOTA + "\"]"), List.of(),
                delivery(), List.of())) {
            try (var listed = new SmtpTestClient("127.0.0.2", server.port())) {
                listed.reply();
                listed.send("EHLO spam.example.test");
                assertThat(listed.send("MAIL FROM:<spammer@example.test>")).containsExactly("250 2.1.0 Sender OK");
                assertThat(listed.send("RCPT TO:<kate@fabrikam.com>")).containsExactly(
                        "554 5.7.1 Service unavailable; client [127.0.0.2] blocked using " + ZEN);
                assertThat(listed.send("RCPT TO:<postmaster@example.test>"))
                        .containsExactly("250 2.1.5 Recipient OK");
                listed.send("QUIT");
            }
            try (var clean = new SmtpTestClient("127.0.0.1", server.port())) {
                clean.reply();
                assertThat(clean.acceptedTransaction("clean.example.test", "someone@example.test",
                        "RCPT TO:<kate@fabrikam.com>", "Subject: clean\r\n\r\nhello")).startsWith("250 2.6.0");
            }
            // 127.255.255.254 from a list is the list's error: logged, the mail accepted
            try (var refusedBy = new SmtpTestClient("127.0.0.3", server.port())) {
                refusedBy.reply();
                assertThat(refusedBy.acceptedTransaction("other.example.test", "someone@example.test",
                        "RCPT TO:<kate@fabrikam.com>", "Subject: quota\r\n\r\nhello")).startsWith("250 2.6.0");
            }
            var warnings = server.server().connectionFilter().warnings();
            assertThat(warnings.count(QUOTA, ClientReputation.Problem.Kind.LIST_ERROR)).isEqualTo(1);
            assertThat(warnings.count(ZEN, ClientReputation.Problem.Kind.LIST_ERROR)).isZero();

            var rejected = rejections(server);
            assertThat(rejected).singleElement().satisfies(e -> {
                assertThat(e.check()).isEqualTo("dnsbl " + ZEN);
                assertThat(e.reason()).isEqualTo("dnsbl");
                assertThat(e.clientAddress()).isEqualTo("127.0.0.2");
                assertThat(e.recipients()).containsExactly("kate@fabrikam.com");
                assertThat(e.status()).isEqualTo("5.7.1");
            });
            assertThat(server.server().stats().rejections(dev.mailflow.server.Check.DNSBL)).isEqualTo(1);
            String log = protocolLog(server);
            assertThat(log).contains("DNS lists: blocked: score 1 of 1, listed by " + ZEN + " 127.0.0.2 (weight 1)")
                    .contains("refused by dnsbl " + ZEN)
                    .contains("DNS lists: not listed")
                    .contains(QUOTA + ": the list answered 127.255.255.254, its own error code, not a listing");
        }
    }

    @Test
    void swaksFromAListedAddressSeesTheRefusal() throws Exception {
        String swaks = dev.mailflow.testing.ExternalTool.require("swaks").toString();
        try (var server = TestServer.start(List.of("dnsbl = [\"" + ZEN + "\"]"), List.of(), delivery(), List.of())) {
            var p = new ProcessBuilder(swaks, "--server", "127.0.0.1", "--port", String.valueOf(server.port()),
                    "--local-interface", "127.0.0.2", "--ehlo", "spam.example.test", "--from", "a@example.test",
                    "--to", "kate@fabrikam.com", "--timeout", "20").redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(output).isNotZero();
            assertThat(output).contains("<** 554 5.7.1 Service unavailable; client [127.0.0.2] blocked using " + ZEN);
        }
    }

    @Test
    void forwardConfirmedReverseDnsIsRecordedAndRequired() throws Exception {
        try (var server = TestServer.start(List.of("require_fcrdns = true"), List.of(), delivery(), List.of())) {
            try (var confirmed = new SmtpTestClient("127.0.0.4", server.port())) {
                confirmed.reply();
                assertThat(confirmed.acceptedTransaction("client4.example.test", "someone@example.test",
                        "RCPT TO:<kate@fabrikam.com>", "Subject: confirmed\r\n\r\nhello")).startsWith("250 2.6.0");
            }
            try (var liar = new SmtpTestClient("127.0.0.5", server.port())) {
                liar.reply();
                liar.send("EHLO liar.example.test");
                liar.send("MAIL FROM:<someone@example.test>");
                assertThat(liar.send("RCPT TO:<kate@fabrikam.com>").get(0)).isEqualTo("550 5.7.25 Reverse DNS"
                        + " validation failed; client [127.0.0.5] has no host name that resolves back to its address");
            }
            try (var nameless = new SmtpTestClient("127.0.0.6", server.port())) {
                nameless.reply();
                nameless.send("EHLO nameless.example.test");
                nameless.send("MAIL FROM:<someone@example.test>");
                assertThat(nameless.send("RCPT TO:<kate@fabrikam.com>").get(0)).startsWith("550 5.7.25 ");
            }
            assertThat(rejections(server)).extracting(TrackingEvent::check)
                    .containsExactly("fcrdns PTR not confirmed", "fcrdns no PTR record");
            assertThat(protocolLog(server)).contains("reverse DNS: client4.example.test (forward-confirmed)")
                    .contains("reverse DNS: PTR liar.example.test does not resolve back to 127.0.0.5")
                    .contains("reverse DNS: no PTR record for 127.0.0.6");
        }
    }

    @Test
    void earlyTalkersAreRefusedOnImplicitTlsToo() throws Exception {
        int implicitPort = Dnsmasq.freePort();
        try (var server = TestServer.start(List.of("greeting_delay = \"1s\""), List.of("[[receive_connector]]",
                "name = \"Implicit TLS\"", "bind = \"127.0.0.1:" + implicitPort + "\"", "tls = \"implicit\"",
                "greeting_delay = \"1s\""), delivery(), List.of())) {
            // plain: EHLO before the 220
            try (var early = new SmtpTestClient("127.0.0.1", server.port())) {
                early.out.write("EHLO early.example.test\r\n".getBytes(StandardCharsets.US_ASCII));
                early.out.flush();
                assertThat(early.reply()).containsExactly(
                        "554 5.5.0 Protocol error: client [127.0.0.1] talked before the greeting");
                assertThat(early.in.readLine()).as("closed").isNull();
            }
            // implicit TLS: the delay starts after the handshake
            try (var early = tls(implicitPort)) {
                var out = early.getOutputStream();
                var in = new BufferedReader(new InputStreamReader(early.getInputStream(), StandardCharsets.US_ASCII));
                out.write("EHLO early.example.test\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(in.readLine()).isEqualTo(
                        "554 5.5.0 Protocol error: client [127.0.0.1] talked before the greeting");
            }
            try (var patient = tls(implicitPort)) {
                var in = new BufferedReader(new InputStreamReader(patient.getInputStream(), StandardCharsets.US_ASCII));
                long start = System.nanoTime();
                assertThat(in.readLine()).startsWith("220 ");
                assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(900);
                patient.getOutputStream().write("EHLO patient.example.test\r\n".getBytes(StandardCharsets.US_ASCII));
                patient.getOutputStream().flush();
                assertThat(in.readLine()).startsWith("250-");
            }
            assertThat(rejections(server)).extracting(TrackingEvent::check)
                    .containsExactly("pregreet greeting delay 1000 ms", "pregreet greeting delay 1000 ms");
            assertThat(protocolLog(server)).contains("talked before the greeting")
                    .contains("EHLO early.example.test\\x0D\\x0A");
        }
    }

    /** A TLS connection that trusts the test server's self-signed certificate, handshake done. */
    private static SSLSocket tls(int port) throws Exception {
        var trustAll = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        var context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {trustAll}, null);
        var socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(5000);
        socket.startHandshake();
        return socket;
    }
}
