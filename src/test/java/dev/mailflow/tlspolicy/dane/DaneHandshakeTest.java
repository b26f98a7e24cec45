package dev.mailflow.tlspolicy.dane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.Test;

/** The DANE trust manager inside a real JDK TLS handshake on loopback: a mismatch aborts it. */
class DaneHandshakeTest {

    private static final String MX = "mx.secure.test";

    @Test
    void aMatchingRecordCompletesTheHandshakeAndAMismatchAbortsIt() throws Exception {
        var ca = TestPki.rootCa("Handshake CA");
        var server = TestPki.server(ca, MX);
        var stranger = TestPki.server(ca, MX);
        var match = new DaneResult.Usable("_25._tcp." + MX,
                List.of(TlsaRecords.forCertificate(server.cert(), 3, 1, 1)), List.of(MX));
        var mismatch = new DaneResult.Usable("_25._tcp." + MX,
                List.of(TlsaRecords.forCertificate(stranger.cert(), 3, 1, 1)), List.of(MX));

        var manager = handshake(server, new DaneVerifier().trustManager(match));
        assertThat(manager.result()).containsInstanceOf(DaneVerification.Matched.class);

        var refused = new DaneVerifier().trustManager(mismatch);
        assertThatThrownBy(() -> handshake(server, refused)).isInstanceOf(SSLHandshakeException.class)
                .hasRootCauseInstanceOf(DaneVerifier.DaneCertificateException.class);
        assertThat(refused.result()).containsInstanceOf(DaneVerification.Failed.class);
    }

    private static DaneTrustManager handshake(TestPki.Issued identity, DaneTrustManager trust) throws Exception {
        var store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", identity.keys().getPrivate(), new char[0], new Certificate[] {identity.cert()});
        var kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, new char[0]);
        var serverContext = SSLContext.getInstance("TLS");
        serverContext.init(kmf.getKeyManagers(), null, null);
        var clientContext = SSLContext.getInstance("TLS");
        clientContext.init(null, new TrustManager[] {trust}, null);
        try (var listener = (SSLServerSocket) serverContext.getServerSocketFactory().createServerSocket(0, 1,
                InetAddress.getLoopbackAddress())) {
            var accepted = CompletableFuture.runAsync(() -> {
                try (var s = (SSLSocket) listener.accept()) {
                    s.setSoTimeout(5000);
                    s.startHandshake();
                    s.getInputStream().read();
                } catch (Exception e) {
                    // the client's abort shows on the client's side
                }
            });
            try (var client = (SSLSocket) clientContext.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
                    listener.getLocalPort())) {
                client.setSoTimeout(5000);
                client.startHandshake();
            }
            accepted.get(10, java.util.concurrent.TimeUnit.SECONDS);
        }
        return trust;
    }
}
