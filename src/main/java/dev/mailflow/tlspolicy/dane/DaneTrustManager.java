package dev.mailflow.tlspolicy.dane;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The trust manager of one TLS connection to a DANE server (RFC 7672 3): the server's chain is
 * checked against its TLSA records by {@link DaneVerifier} during the handshake, and a
 * mismatch ends the handshake ({@link DaneVerifier.DaneCertificateException}). No WebPKI
 * check and no endpoint identification of the JDK's: DANE replaces both (RFC 7672 3.1). The
 * outcome stays readable afterwards ({@link #result()}) for tracking and the tester.
 */
public final class DaneTrustManager extends X509ExtendedTrustManager {

    private final DaneVerifier verifier;
    private final DaneResult.Usable tlsa;
    private final AtomicReference<DaneVerification> result = new AtomicReference<>();

    DaneTrustManager(DaneVerifier verifier, DaneResult.Usable tlsa) {
        this.verifier = verifier;
        this.tlsa = tlsa;
    }

    /** The last check's outcome; empty before the server's certificate came. */
    public Optional<DaneVerification> result() {
        return Optional.ofNullable(result.get());
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check(chain);
    }

    private void check(X509Certificate[] chain) throws CertificateException {
        var outcome = verifier.verify(chain == null ? List.of() : List.of(chain), tlsa);
        result.set(outcome);
        if (outcome instanceof DaneVerification.Failed f) {
            throw new DaneVerifier.DaneCertificateException(f);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a DANE trust manager checks servers only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("a DANE trust manager checks servers only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("a DANE trust manager checks servers only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
