package dev.mailflow.delivery.tls;

import java.util.Locale;

/**
 * The TLS levels an operator can name for a domain or a send connector (the {@code tls} key),
 * after Postfix's {@code smtp_tls_security_level}.
 */
public enum TlsMode {
    /** DANE when the host publishes usable, validated TLSA records, else MTA-STS, else opportunistic. */
    DANE("dane"),
    /** MTA-STS when the domain publishes a policy, else opportunistic; TLSA records are not looked up. */
    MTA_STS("mta-sts"),
    /** STARTTLS when offered, the certificate not checked, plaintext when not offered (RFC 7435). */
    OPPORTUNISTIC("opportunistic"),
    /** TLS required, the certificate not checked (Postfix's "encrypt"). */
    ENCRYPT("encrypt"),
    /**
     * TLS required and the certificate checked: valid under the trust anchors for the next
     * hop's name, or matching a pinned fingerprint (Postfix's "verify"/"secure"/"fingerprint").
     */
    VERIFY("verify"),
    /** No STARTTLS at all. */
    NONE("none");

    private final String word;

    TlsMode(String word) {
        this.word = word;
    }

    /** The configuration's word: {@code "mta-sts"}. */
    public String word() {
        return word;
    }

    /** @return the mode for a configuration word, or null when there is none of that name */
    public static TlsMode of(String word) {
        for (var m : values()) {
            if (m.word.equals(word.toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        return null;
    }

    /** {@code "dane", "mta-sts", ...}: for error messages. */
    public static String words() {
        var sb = new StringBuilder();
        for (var m : values()) {
            sb.append(sb.isEmpty() ? "" : ", ").append('"').append(m.word).append('"');
        }
        return sb.toString();
    }
}
