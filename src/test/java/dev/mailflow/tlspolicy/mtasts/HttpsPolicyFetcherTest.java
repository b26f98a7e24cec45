package dev.mailflow.tlspolicy.mtasts;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpHandler;
import dev.mailflow.dns.Zone;
import dev.mailflow.testing.TestPki;
import dev.mailflow.tlspolicy.TrustAnchors;
import dev.mailflow.tlspolicy.WebPki;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 8461 3.3 policy fetches against the JDK's HTTPS server on loopback with a test CA. */
class HttpsPolicyFetcherTest {

    static final TestPki CA = TestPki.root("Test CA");
    static final String POLICY = "version: STSv1\r\nmode: enforce\r\nmx: mx.example.test\r\nmax_age: 86400\r\n";
    private static final Zone ZONE = Zone.builder().a("mta-sts.example.test", "127.0.0.1")
            .exists("mta-sts.nowhere.test").build();

    private final WebPki pki = new WebPki(TrustAnchors.only(List.of(CA.certificate())), Clock.systemUTC());

    private PolicyFetcher.Result fetch(HttpHandler handler) throws IOException {
        return fetch(CA.issue("mta-sts.example.test"), handler, Duration.ofSeconds(5));
    }

    private PolicyFetcher.Result fetch(TestPki.Issued certificate, HttpHandler handler, Duration timeout)
            throws IOException {
        try (var server = new PolicyHttpsServer(certificate, handler)) {
            var result = new HttpsPolicyFetcher(ZONE, pki, server.port(), timeout).fetch("example.test");
            if (server.requests() > 0) {
                assertThat(server.lastHost).isEqualTo("mta-sts.example.test");
                assertThat(server.lastPath).isEqualTo("/.well-known/mta-sts.txt");
            }
            return result;
        }
    }

    private static String failure(PolicyFetcher.Result result) {
        assertThat(result).isInstanceOf(PolicyFetcher.Failed.class);
        return ((PolicyFetcher.Failed) result).reason();
    }

    @Test
    void aValidPolicyIsFetchedAndParsed() throws IOException {
        var result = fetch(PolicyHttpsServer.answer(200, "text/plain; charset=utf-8", POLICY));
        assertThat(result).isInstanceOf(PolicyFetcher.Fetched.class);
        var policy = ((PolicyFetcher.Fetched) result).policy();
        assertThat(policy.mode()).isEqualTo(MtaStsPolicy.Mode.ENFORCE);
        assertThat(policy.text()).isEqualTo(POLICY);
    }

    @Test
    void aChunkedBodyIsRead() throws IOException {
        var result = fetch(exchange -> PolicyHttpsServer.send(exchange, 200, "text/plain",
                POLICY.getBytes(StandardCharsets.UTF_8), true));
        assertThat(result).isInstanceOf(PolicyFetcher.Fetched.class);
    }

    @Test
    void aStatusOtherThan200IsAFailure() throws IOException {
        String reason = failure(fetch(PolicyHttpsServer.answer(404, "text/plain", "not here")));
        assertThat(reason).matches("https://mta-sts\\.example\\.test:\\d+/\\.well-known/mta-sts\\.txt answered 404 Not Found");
    }

    @Test
    void aRedirectIsNotFollowed() throws IOException {
        String reason = failure(fetch(exchange -> {
            exchange.getResponseHeaders().set("Location", "https://elsewhere.test/policy.txt");
            PolicyHttpsServer.send(exchange, 301, "text/plain", new byte[0], false);
        }));
        assertThat(reason).endsWith(" redirects (301 to https://elsewhere.test/policy.txt); RFC 8461 3.3 forbids "
                + "following redirects");
    }

    @Test
    void theContentTypeMustBeTextPlain() throws IOException {
        assertThat(failure(fetch(PolicyHttpsServer.answer(200, "text/html", POLICY))))
                .endsWith(" is served as text/html, not text/plain (RFC 8461 3.2)");
        assertThat(failure(fetch(PolicyHttpsServer.answer(200, null, POLICY))))
                .endsWith(" has no Content-Type; RFC 8461 3.2 requires text/plain");
    }

    @Test
    void aBodyOver64KiBIsRefusedWithEitherFraming() throws IOException {
        byte[] big = ("version: STSv1\n" + "x".repeat(70_000)).getBytes(StandardCharsets.US_ASCII);
        assertThat(failure(fetch(exchange -> PolicyHttpsServer.send(exchange, 200, "text/plain", big, false))))
                .endsWith(" is too large: the body is 70015 octets, over the limit of 65536 (RFC 8461 3.3 suggests "
                        + "64 KiB)");
        assertThat(failure(fetch(exchange -> PolicyHttpsServer.send(exchange, 200, "text/plain", big, true))))
                .contains(" is too large: ");
    }

    @Test
    void anInvalidPolicySaysWhy() throws IOException {
        assertThat(failure(fetch(PolicyHttpsServer.answer(200, "text/plain", "version: STSv1\nmode: strict\n"))))
                .endsWith(" is not a valid policy: line 2: mode \"strict\" is not enforce, testing or none");
    }

    @Test
    void aSlowServerTimesOut() throws IOException {
        long start = System.nanoTime();
        String reason = failure(fetch(CA.issue("mta-sts.example.test"), exchange -> {
            try {
                Thread.sleep(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            PolicyHttpsServer.send(exchange, 200, "text/plain", POLICY.getBytes(StandardCharsets.UTF_8), false);
        }, Duration.ofMillis(500)));
        assertThat(reason).endsWith(" did not answer within 500 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));
    }

    @Test
    void aServerThatTricklesIsCutOffAtTheDeadline() throws Exception {
        // one octet every 100 ms: each read is quick, the whole is not
        try (var raw = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
            var issued = CA.issue("mta-sts.example.test");
            Thread.ofVirtual().start(() -> {
                try (var plain = raw.accept();
                     var tls = (javax.net.ssl.SSLSocket) issued.serverContext().getSocketFactory()
                             .createSocket(plain, null, plain.getPort(), true)) {
                    tls.setUseClientMode(false);
                    tls.startHandshake();
                    tls.getInputStream().read(new byte[4096]);
                    OutputStream out = tls.getOutputStream();
                    for (byte b : ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n" + POLICY).getBytes()) {
                        out.write(b);
                        out.flush();
                        Thread.sleep(100);
                    }
                } catch (Exception e) {
                    // the client went away
                }
            });
            long start = System.nanoTime();
            var result = new HttpsPolicyFetcher(ZONE, pki, raw.getLocalPort(), Duration.ofMillis(800))
                    .fetch("example.test");
            assertThat(failure(result)).endsWith(" did not answer within 800 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2000));
        }
    }

    @Test
    void aHandshakeTrickledByteByByteEndsAtTheDeadline() throws Exception {
        // A relay in front of a real TLS server passes the server's bytes on one every 50 ms:
        // each read is quick, the handshake as a whole takes minutes.
        try (var backend = (javax.net.ssl.SSLServerSocket) CA.issue("mta-sts.example.test").serverContext()
                .getServerSocketFactory().createServerSocket(0, 5, java.net.InetAddress.getByName("127.0.0.1"));
             var relay = new java.net.ServerSocket(0, 5, java.net.InetAddress.getByName("127.0.0.1"))) {
            Thread.ofVirtual().start(() -> {
                try (var s = backend.accept()) {
                    ((javax.net.ssl.SSLSocket) s).startHandshake();
                } catch (IOException e) {
                    // the client gave up
                }
            });
            Thread.ofVirtual().start(() -> {
                try (var client = relay.accept(); var server = new java.net.Socket("127.0.0.1", backend.getLocalPort())) {
                    Thread.ofVirtual().start(() -> {
                        try {
                            client.getInputStream().transferTo(server.getOutputStream());
                        } catch (IOException e) {
                            // closed
                        }
                    });
                    var in = server.getInputStream();
                    var out = client.getOutputStream();
                    int b;
                    while ((b = in.read()) >= 0) {
                        out.write(b);
                        out.flush();
                        Thread.sleep(50);
                    }
                } catch (Exception e) {
                    // the client went away
                }
            });
            long start = System.nanoTime();
            var result = new HttpsPolicyFetcher(ZONE, pki, relay.getLocalPort(), Duration.ofMillis(1500))
                    .fetch("example.test");
            assertThat(failure(result)).endsWith(" did not answer within 1500 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(3000));
        }
    }

    @Test
    void aCertificateForAnotherNameIsRefused() throws IOException {
        String reason = failure(fetch(CA.issue("www.example.test"), PolicyHttpsServer.answer(200, "text/plain", POLICY),
                Duration.ofSeconds(5)));
        assertThat(reason).isEqualTo("the certificate of mta-sts.example.test is not valid: certificate for "
                + "www.example.test (issued by Test CA) does not name mta-sts.example.test");
    }

    @Test
    void anUntrustedCaIsRefused() throws IOException {
        String reason = failure(fetch(TestPki.root("Rogue CA").issue("mta-sts.example.test"),
                PolicyHttpsServer.answer(200, "text/plain", POLICY), Duration.ofSeconds(5)));
        assertThat(reason).isEqualTo("the certificate of mta-sts.example.test is not valid: not signed by a trusted "
                + "CA: the chain ends at mta-sts.example.test, issued by Rogue CA, which is not a trusted CA");
    }

    @Test
    void noAddressOrNoListenerIsAFailureInWords() throws IOException {
        var fetcher = new HttpsPolicyFetcher(ZONE, pki, 443, Duration.ofSeconds(2));
        assertThat(failure(fetcher.fetch("nowhere.test"))).isEqualTo(
                "cannot find the address of mta-sts.nowhere.test: exists but has no record of that type");
        int closed;
        try (var s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closed = s.getLocalPort();
        }
        assertThat(failure(new HttpsPolicyFetcher(ZONE, pki, closed, Duration.ofSeconds(2)).fetch("example.test")))
                .startsWith("cannot connect to mta-sts.example.test port " + closed + " (127.0.0.1: ");
    }

    @Test
    void theUrlShowsAPortOtherThan443() {
        assertThat(new HttpsPolicyFetcher(ZONE, pki, 443, Duration.ofSeconds(1)).url("example.com"))
                .isEqualTo("https://mta-sts.example.com/.well-known/mta-sts.txt");
        assertThat(new HttpsPolicyFetcher(ZONE, pki, 8443, Duration.ofSeconds(1)).url("example.com"))
                .isEqualTo("https://mta-sts.example.com:8443/.well-known/mta-sts.txt");
    }
}
