package dev.mailflow.client;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A TLS context for opportunistic SMTP TLS (RFC 7435): encrypt without authenticating the
 * peer, as MTAs do when nothing (DANE, MTA-STS) says otherwise. The peer's chain can be kept
 * for a report.
 */
public final class OpportunisticTls {

    private OpportunisticTls() {
    }

    /** @param onChain hears the peer's certificate chain at each handshake (may ignore it) */
    public static SSLContext context(Consumer<X509Certificate[]> onChain) {
        try {
            var ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                    onChain.accept(chain);
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS in this JVM", e);
        }
    }
}
