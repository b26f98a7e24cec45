package dev.mailflow.delivery.tls;

import java.security.cert.X509Certificate;

/**
 * Judges the certificate chain a next hop presented in the TLS handshake, before anything of
 * a message is sent: DANE's TLSA match (RFC 7672 3), MTA-STS's and {@code verify}'s WebPKI
 * validation for the host name (RFC 8461 4.2), a pinned fingerprint.
 */
@FunctionalInterface
public interface PeerCheck {

    /** @param chain the chain as the peer sent it, its own certificate first */
    PeerVerdict check(X509Certificate[] chain);

    /** What a check found. */
    sealed interface PeerVerdict {
    }

    /** @param by how, for tracking: "DANE-EE 3 1 1", "MTA-STS", "fingerprint sha256:..." */
    record Authenticated(String by) implements PeerVerdict {
    }

    /**
     * @param reason     what did not hold, for the deferral and the DSN
     * @param resultType the TLS-RPT result type (RFC 8460 4.3), such as {@code certificate-host-mismatch}
     */
    record Refused(String reason, String resultType) implements PeerVerdict {
    }

    /** A check that passes when any of several does: the first that authenticates wins. */
    static PeerCheck anyOf(java.util.List<PeerCheck> checks) {
        return chain -> {
            PeerVerdict first = null;
            for (var c : checks) {
                var v = c.check(chain);
                if (v instanceof Authenticated) {
                    return v;
                }
                if (first == null) {
                    first = v;
                }
            }
            return first;
        };
    }

    /** Pinned certificates or keys (a smart host's). */
    static PeerCheck fingerprints(java.util.List<Fingerprint> pins) {
        return chain -> {
            if (chain.length > 0) {
                for (var pin : pins) {
                    if (pin.matches(chain[0])) {
                        return new Authenticated("fingerprint " + pin);
                    }
                }
            }
            String got = chain.length == 0 ? "no certificate" : "a certificate with fingerprint "
                    + Fingerprint.of(chain[0]);
            return new Refused("the server presented " + got + ", which none of the " + pins.size()
                    + " pinned fingerprints matches", "certificate-not-trusted");
        };
    }
}
