package dev.mailflow.server.tls;

/**
 * JSSE settings that exist only as JVM-wide system properties, read once when JSSE first
 * needs them (the server side's are read at the first server handshake): set them before
 * anything uses TLS. {@code Main} does so first thing, {@link TlsContextProvider} again when
 * it loads, for a server started without {@code Main} (tests, embedding).
 *
 * <p>SECURITY: {@code jdk.tls.rejectClientInitiatedRenegotiation}. JSSE accepts a TLS 1.2
 * renegotiation started by the client (RFC 5746 makes it safe from injection, not cheap):
 * each one is a full handshake the client can ask for as often as it likes on one
 * connection, a denial of service that testssl.sh reports as "Secure Client-Initiated
 * Renegotiation VULNERABLE (NOT ok)". A server never needs it, so it is refused: the server
 * answers a fatal handshake_failure alert and the connection ends. (TLS 1.3 has no
 * renegotiation at all, RFC 8446 4.1.2.)
 */
public final class JsseHardening {

    public static final String REJECT_CLIENT_RENEGOTIATION = "jdk.tls.rejectClientInitiatedRenegotiation";

    private JsseHardening() {
    }

    /** Sets the properties; idempotent, and harmless once JSSE has read them (they then stay as read). */
    public static void apply() {
        System.setProperty(REJECT_CLIENT_RENEGOTIATION, "true");
    }
}
