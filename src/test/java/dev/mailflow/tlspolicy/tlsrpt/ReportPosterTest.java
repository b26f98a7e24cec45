package dev.mailflow.tlspolicy.tlsrpt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** RFC 8460 5.4's HTTPS POST, against the JDK's HTTPS server on 127.0.0.1 with a test CA. */
class ReportPosterTest {

    private static LoopbackCa ca;
    private static final byte[] GZIP = AggregateReport.of(AggregateReportTest.REPORTER, AggregateReportTest.DAY,
            AggregateReportTest.tally().get("example.net")).gzip();

    private TestReportServer server;
    private ReportPoster poster;

    @BeforeAll
    static void makeCa() throws Exception {
        ca = new LoopbackCa("Mailflow TLS-RPT Test CA");
    }

    @BeforeEach
    void start() throws Exception {
        server = new TestReportServer(ca.serverContext(new String[] {"reports.example.test"},
                InetAddress.getLoopbackAddress()));
        poster = new ReportPoster(ca.clientContext(), Duration.ofSeconds(5), Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() {
        poster.close();
        server.close();
    }

    @Test
    void aReportIsPostedAsTlsrptGzip() throws Exception {
        poster.post(server.uri("/v1/tlsrpt#fragment"), GZIP);
        assertThat(server.received).singleElement().satisfies(r -> {
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.path()).isEqualTo("/v1/tlsrpt");
            assertThat(r.contentType()).isEqualTo("application/tlsrpt+gzip");
            assertThat(r.body()).isEqualTo(GZIP);
        });
    }

    @Test
    void any2xxIsDelivered() throws Exception {
        server.handler = (exchange, request) -> TestReportServer.answer(exchange, 204);
        poster.post(server.uri("/"), GZIP);
        assertThat(server.received).hasSize(1);
    }

    @Test
    void anErrorStatusIsAFailureNamingIt() {
        server.handler = (exchange, request) -> TestReportServer.answer(exchange, 503);
        assertThatThrownBy(() -> poster.post(server.uri("/r"), GZIP)).isInstanceOf(IOException.class)
                .hasMessage(server.uri("/r") + " answered HTTP 503");
    }

    @Test
    void a307IsFollowedWithTheSameBody() throws Exception {
        server.handler = (exchange, request) -> {
            if (request.path().equals("/old")) {
                exchange.getResponseHeaders().add("Location", "/new");
                TestReportServer.answer(exchange, 307);
            } else {
                TestReportServer.answer(exchange, 200);
            }
        };
        poster.post(server.uri("/old"), GZIP);
        assertThat(server.received).extracting(TestReportServer.Received::path).containsExactly("/old", "/new");
        assertThat(server.received.get(1).body()).isEqualTo(GZIP);
        assertThat(server.received.get(1).method()).isEqualTo("POST");
    }

    @Test
    void otherRedirectsAndLoopsAreFailures() {
        server.handler = (exchange, request) -> {
            exchange.getResponseHeaders().add("Location", "/elsewhere");
            TestReportServer.answer(exchange, 302);
        };
        assertThatThrownBy(() -> poster.post(server.uri("/"), GZIP))
                .hasMessageContaining("answered HTTP 302 (only 307 and 308 redirects are followed)");
        server.handler = (exchange, request) -> {
            exchange.getResponseHeaders().add("Location", "/again");
            TestReportServer.answer(exchange, 308);
        };
        server.received.clear();
        assertThatThrownBy(() -> poster.post(server.uri("/"), GZIP)).hasMessageContaining("more than 3 redirects");
        assertThat(server.received).hasSize(1 + ReportPoster.MAX_REDIRECTS);
        server.handler = (exchange, request) -> {
            exchange.getResponseHeaders().add("Location", "http://127.0.0.1:1/plain");
            TestReportServer.answer(exchange, 307);
        };
        assertThatThrownBy(() -> poster.post(server.uri("/"), GZIP)).hasMessageContaining("which is not https");
    }

    @Test
    void aCertificateFromAnotherCaIsRefused() throws Exception {
        try (var other = new ReportPoster(new LoopbackCa("Another CA").clientContext())) {
            assertThatThrownBy(() -> other.post(server.uri("/"), GZIP)).isInstanceOf(IOException.class)
                    .hasMessageContaining("TLS failed");
        }
        assertThat(server.received).isEmpty();
    }

    @Test
    void aCertificateForAnotherNameIsRefused() throws Exception {
        try (var wrongName = new TestReportServer(ca.serverContext(new String[] {"reports.example.test"}))) {
            assertThatThrownBy(() -> poster.post(wrongName.uri("/"), GZIP)).isInstanceOf(IOException.class)
                    .hasMessageContaining("TLS failed");
            assertThat(wrongName.received).isEmpty();
        }
    }

    @Test
    void aServerThatDoesNotAnswerMeetsTheDeadline() throws Exception {
        server.handler = (exchange, request) -> Thread.sleep(20_000);
        try (var quick = new ReportPoster(ca.clientContext(), Duration.ofSeconds(2), Duration.ofSeconds(1))) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> quick.post(server.uri("/"), GZIP)).isInstanceOf(IOException.class)
                    .hasMessageContaining("no complete answer within 1 s");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void nobodyListeningIsAFailure() throws Exception {
        int port;
        try (var s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        assertThatThrownBy(() -> poster.post(java.net.URI.create("https://127.0.0.1:" + port + "/"), GZIP))
                .isInstanceOf(IOException.class).hasMessageContaining("cannot connect");
    }
}
