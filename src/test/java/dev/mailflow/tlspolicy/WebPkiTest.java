package dev.mailflow.tlspolicy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailflow.testing.TestPki;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.Test;

/** RFC 6125 6.4 and RFC 8461 4.2 certificate checks, with the operator's reasons. */
class WebPkiTest {

    private static final TestPki CA = TestPki.root("Test CA");
    private final WebPki pki = new WebPki(TrustAnchors.only(List.of(CA.certificate())), Clock.systemUTC());

    private WebPki.Result check(TestPki.Issued issued, String host) {
        return pki.check(issued.chain(), host);
    }

    @Test
    void aCertificateNamingTheHostFromATrustedCaIsValid() {
        assertThat(check(CA.issue("mx.example.test"), "mx.example.test"))
                .isEqualTo(new WebPki.Valid("mx.example.test", "Test CA"));
        assertThat(check(CA.issue("other.example.test", "MX.example.test"), "mx.example.test.").valid()).isTrue();
    }

    @Test
    void anotherNameIsRefusedNamingBoth() {
        assertThat(check(CA.issue("mx.other.test"), "mx.example.test")).isEqualTo(new WebPki.Invalid(
                "certificate for mx.other.test (issued by Test CA) does not name mx.example.test", WebPki.Kind.HOST_MISMATCH));
    }

    @Test
    void aWildcardCoversOneLabelOnly() {
        var wildcard = CA.issue("*.example.test");
        assertThat(check(wildcard, "mx.example.test")).isEqualTo(new WebPki.Valid("*.example.test", "Test CA"));
        assertThat(check(wildcard, "a.mx.example.test").valid()).isFalse();
        assertThat(check(wildcard, "example.test").valid()).isFalse();
        assertThat(check(CA.issue("m*.example.test"), "mx.example.test").valid()).isFalse();
    }

    @Test
    void theCommonNameCountsOnlyWithoutDnsNames() {
        var cnOnly = CA.issue(new TestPki.Leaf().commonName("mx.example.test"));
        assertThat(check(cnOnly, "mx.example.test")).isEqualTo(new WebPki.Valid("mx.example.test", "Test CA"));
        var both = CA.issue(new TestPki.Leaf().commonName("mx.example.test").dns("www.example.test"));
        assertThat(check(both, "mx.example.test")).isEqualTo(new WebPki.Invalid(
                "certificate for www.example.test (issued by Test CA) does not name mx.example.test", WebPki.Kind.HOST_MISMATCH));
    }

    @Test
    void expiredAndNotYetValidCertificatesSayWhen() {
        var expired = CA.issue(new TestPki.Leaf().dns("mx.example.test").validity(
                Instant.parse("2020-01-01T00:00:00Z"), Instant.parse("2021-01-02T03:04:05Z")));
        assertThat(check(expired, "mx.example.test")).isEqualTo(new WebPki.Invalid(
                "certificate for mx.example.test has expired on 2021-01-02 03:04:05 UTC", WebPki.Kind.EXPIRED));
        var future = CA.issue(new TestPki.Leaf().dns("mx.example.test").validity(
                Instant.now().plus(Duration.ofDays(10)), Instant.now().plus(Duration.ofDays(20))));
        assertThat(check(future, "mx.example.test")).isInstanceOf(WebPki.Invalid.class)
                .extracting(r -> ((WebPki.Invalid) r).reason()).asString()
                .startsWith("certificate for mx.example.test is not valid before ");
    }

    @Test
    void theClockDecides() {
        var issued = CA.issue("mx.example.test");
        var later = new WebPki(pki.anchors(), Clock.fixed(Instant.now().plus(Duration.ofDays(60)), ZoneOffset.UTC));
        assertThat(later.check(issued.chain(), "mx.example.test").valid()).isFalse();
    }

    @Test
    void anUntrustedCaIsRefused() {
        var other = TestPki.root("Rogue CA");
        assertThat(check(other.issue("mx.example.test"), "mx.example.test")).isEqualTo(new WebPki.Invalid(
                "not signed by a trusted CA: the chain ends at mx.example.test, issued by Rogue CA, which is not a "
                        + "trusted CA", WebPki.Kind.UNTRUSTED));
        assertThat(check(TestPki.selfSigned("mx.example.test"), "mx.example.test")).isEqualTo(new WebPki.Invalid(
                "not signed by a trusted CA: the certificate for mx.example.test is self-signed", WebPki.Kind.UNTRUSTED));
    }

    @Test
    void aChainThroughAnIntermediateIsBuiltAndAnExpiredIntermediateNamed() {
        var intermediate = CA.intermediate("Test Issuing CA", Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(100)));
        assertThat(check(intermediate.issue("mx.example.test"), "mx.example.test"))
                .isEqualTo(new WebPki.Valid("mx.example.test", "Test Issuing CA"));
        var expired = CA.intermediate("Old Issuing CA", Instant.parse("2020-01-01T00:00:00Z"),
                Instant.parse("2021-01-01T00:00:00Z"));
        assertThat(check(expired.issue("mx.example.test"), "mx.example.test")).isEqualTo(new WebPki.Invalid(
                "not signed by a trusted CA: the intermediate certificate Old Issuing CA has expired on "
                        + "2021-01-01 00:00:00 UTC", WebPki.Kind.UNTRUSTED));
        // the intermediate left out: no path
        var leafOnly = intermediate.issue("mx.example.test");
        assertThat(pki.check(List.of(leafOnly.certificate()), "mx.example.test").valid()).isFalse();
    }

    @Test
    void aCertificateNotForServersIsRefused() {
        var client = CA.issue(new TestPki.Leaf().dns("mx.example.test").purpose(KeyPurposeId.id_kp_clientAuth));
        assertThat(check(client, "mx.example.test")).isEqualTo(new WebPki.Invalid(
                "certificate for mx.example.test is not for TLS servers (its extended key usage lacks serverAuth)"));
        assertThat(check(CA.issue(new TestPki.Leaf().dns("mx.example.test").purpose(null)), "mx.example.test").valid())
                .isTrue();
    }

    @Test
    void noCertificateIsInvalid() {
        assertThat(pki.check(List.<X509Certificate>of(), "mx.example.test"))
                .isEqualTo(new WebPki.Invalid("the server presented no certificate"));
    }

    @Test
    void theTrustManagerFailsARealHandshakeWithTheReasonAndPassesAGoodOne() throws Exception {
        try (var server = new TlsServer(CA.issue("mx.other.test"))) {
            assertThatThrownBy(() -> server.connect(pki.sslContext("mx.example.test")))
                    .isInstanceOf(SSLHandshakeException.class)
                    .hasRootCauseInstanceOf(WebPki.PeerCertificateException.class)
                    .rootCause().hasMessage("certificate for mx.other.test (issued by Test CA) does not name "
                            + "mx.example.test");
        }
        try (var server = new TlsServer(CA.issue("mx.example.test"))) {
            var session = server.connect(pki.sslContext("mx.example.test"));
            assertThat(pki.check(session, "mx.example.test").valid()).isTrue();
            // after a handshake that trusted anything (a testing-mode delivery), the check still tells
            assertThat(pki.check(session, "mx.other.test")).isInstanceOf(WebPki.Invalid.class);
        }
    }

    /** A TLS server on loopback that completes handshakes. */
    private static final class TlsServer implements AutoCloseable {
        private final SSLServerSocket socket;
        private final Thread thread;

        TlsServer(TestPki.Issued issued) throws IOException {
            socket = (SSLServerSocket) issued.serverContext().getServerSocketFactory().createServerSocket(0, 5,
                    InetAddress.getLoopbackAddress());
            thread = Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    try (Socket s = socket.accept()) {
                        ((SSLSocket) s).startHandshake();
                        s.getOutputStream().write('x');
                        s.getOutputStream().flush();
                    } catch (IOException e) {
                        // a refused handshake, or the end
                    }
                }
            });
        }

        javax.net.ssl.SSLSession connect(javax.net.ssl.SSLContext ctx) throws IOException {
            try (var s = (SSLSocket) ctx.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
                    socket.getLocalPort())) {
                s.setSoTimeout(5000);
                s.startHandshake();
                s.getInputStream().read();
                return s.getSession();
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
            thread.interrupt();
        }
    }
}
