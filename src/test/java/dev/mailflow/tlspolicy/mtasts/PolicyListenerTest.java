package dev.mailflow.tlspolicy.mtasts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.dns.Zone;
import dev.mailflow.testing.ExternalTool;
import dev.mailflow.testing.TestPki;
import dev.mailflow.tlspolicy.TrustAnchors;
import dev.mailflow.tlspolicy.WebPki;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The listener publishing our policy, asked by our own fetcher, by raw requests, and by Python's ssl. */
class PolicyListenerTest {

    private static final TestPki CA = TestPki.root("Test CA");
    private static final TestPki.Issued CERT = CA.issue("mta-sts.example.test", "mta-sts.other.test");
    private static final Zone ZONE = Zone.builder().a("mta-sts.example.test", "127.0.0.1")
            .a("mta-sts.other.test", "127.0.0.1").build();
    private static final PublishedPolicy PUBLISHED = new PublishedPolicy(MtaStsPolicy.Mode.TESTING,
            List.of("mx.example.test"), Duration.ofDays(7));

    @TempDir
    Path dir;

    private PolicyListener listener;
    private final WebPki pki = new WebPki(TrustAnchors.only(List.of(CA.certificate())), Clock.systemUTC());

    @BeforeEach
    void start() throws IOException {
        var ctx = CERT.serverContext();
        listener = PolicyListener.start(new InetSocketAddress("127.0.0.1", 0), socket -> {
            var s = (SSLSocket) ctx.getSocketFactory().createSocket(socket, null, socket.getPort(), true);
            s.setUseClientMode(false);
            return s;
        }, domain -> domain.equals("example.test") ? PUBLISHED.text() : null);
    }

    @AfterEach
    void stop() {
        listener.close();
    }

    private HttpsPolicyFetcher fetcher() {
        return new HttpsPolicyFetcher(ZONE, pki, listener.address().getPort(), Duration.ofSeconds(5));
    }

    @Test
    void theFetcherGetsOurPolicyForAnAcceptedDomain() {
        var result = fetcher().fetch("example.test");
        assertThat(result).isInstanceOfSatisfying(PolicyFetcher.Fetched.class, f -> {
            assertThat(f.policy().text()).isEqualTo(PUBLISHED.text());
            assertThat(f.policy().mode()).isEqualTo(MtaStsPolicy.Mode.TESTING);
            assertThat(f.policy().matches("mx.example.test")).isTrue();
        });
    }

    @Test
    void anotherHostIsNotFound() {
        assertThat(fetcher().fetch("other.test")).isInstanceOfSatisfying(PolicyFetcher.Failed.class,
                f -> assertThat(f.reason()).endsWith("/.well-known/mta-sts.txt answered 404 Not Found"));
    }

    @Test
    void otherPathsMethodsAndGarbageGetTheirStatus() throws IOException {
        assertThat(raw("GET /index.html HTTP/1.1\r\nHost: mta-sts.example.test\r\n\r\n")).startsWith("HTTP/1.1 404 ");
        assertThat(raw("GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: example.test\r\n\r\n")).startsWith("HTTP/1.1 404 ");
        assertThat(raw("GET /.well-known/mta-sts.txt HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 404 ");
        assertThat(raw("POST /.well-known/mta-sts.txt HTTP/1.1\r\nHost: mta-sts.example.test\r\n\r\n"))
                .startsWith("HTTP/1.1 405 ").contains("Allow: GET, HEAD");
        assertThat(raw("hello\r\n\r\n")).startsWith("HTTP/1.1 400 ");
        assertThat(raw("GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")).startsWith("HTTP/1.1 400 ");
        assertThat(raw("GET /x HTTP/1.1\r\nX: " + "a".repeat(9000) + "\r\n\r\n")).startsWith("HTTP/1.1 400 ");
        String ok = raw("GET /.well-known/mta-sts.txt HTTP/1.0\r\nHost: MTA-STS.Example.Test:443\r\n\r\n");
        assertThat(ok).startsWith("HTTP/1.1 200 OK\r\n").contains("Content-Type: text/plain; charset=utf-8\r\n")
                .endsWith("\r\n\r\n" + PUBLISHED.text());
        String head = raw("HEAD /.well-known/mta-sts.txt HTTP/1.1\r\nHost: mta-sts.example.test\r\n\r\n");
        assertThat(head).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\n");
    }

    private String raw(String request) throws IOException {
        try (var s = (SSLSocket) pki.sslContext("mta-sts.example.test").getSocketFactory()
                .createSocket("127.0.0.1", listener.address().getPort())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void pythonsSslClientVerifiesTheCertificateAndGetsThePolicy() throws Exception {
        Path python = ExternalTool.require("python3");
        Path ca = CA.writeCertificate(dir.resolve("ca.pem"));
        Path script = Files.writeString(dir.resolve("get.py"), """
                import socket, ssl, sys
                ca, port, host = sys.argv[1], int(sys.argv[2]), sys.argv[3]
                ctx = ssl.create_default_context(cafile=ca)
                with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
                    with ctx.wrap_socket(raw, server_hostname="mta-sts.example.test") as s:
                        s.sendall(("GET /.well-known/mta-sts.txt HTTP/1.1\\r\\nHost: " + host
                                   + "\\r\\nConnection: close\\r\\n\\r\\n").encode())
                        data = b""
                        while True:
                            chunk = s.recv(4096)
                            if not chunk:
                                break
                            data += chunk
                sys.stdout.write(data.decode())
                """);
        assertThat(run(python, script, ca, "mta-sts.example.test")).startsWith("HTTP/1.1 200 OK")
                .endsWith(PUBLISHED.text());
        assertThat(run(python, script, ca, "mta-sts.other.test")).startsWith("HTTP/1.1 404 Not Found");
    }

    private String run(Path python, Path script, Path ca, String host) throws Exception {
        var p = new ProcessBuilder(python.toString(), script.toString(), ca.toString(),
                String.valueOf(listener.address().getPort()), host).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void thePublishedIdIsAStableHashAndTheRecordNamesIt() {
        var same = new PublishedPolicy(MtaStsPolicy.Mode.TESTING, List.of("mx.example.test"), Duration.ofDays(7));
        var other = new PublishedPolicy(MtaStsPolicy.Mode.ENFORCE, List.of("mx.example.test"), Duration.ofDays(7));
        assertThat(PUBLISHED.policyId()).matches("[0-9a-f]{20}").isEqualTo(same.policyId())
                .isNotEqualTo(other.policyId());
        assertThat(PUBLISHED.txtRecord("example.test")).isEqualTo(
                "_mta-sts.example.test. IN TXT \"v=STSv1; id=" + PUBLISHED.policyId() + "\"");
        assertThat(MtaStsRecord.parse(PUBLISHED.txtRecordText())).isEqualTo(
                new MtaStsRecord.Found(new MtaStsRecord(PUBLISHED.policyId())));
    }
}
