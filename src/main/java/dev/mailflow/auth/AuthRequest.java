package dev.mailflow.auth;

import java.net.InetAddress;
import java.util.Objects;

/**
 * What the receiving side knows of a message before looking at it: the client's address, its
 * HELO name and the MAIL FROM address.
 *
 * @param ip       the SMTP client's address
 * @param helo     the EHLO/HELO name, or null when the client gave none
 * @param mailFrom the reverse-path without angle brackets; "" for the null sender
 */
public record AuthRequest(InetAddress ip, String helo, String mailFrom) {

    public AuthRequest {
        Objects.requireNonNull(ip);
        mailFrom = mailFrom == null ? "" : mailFrom;
    }

    /** Whether SPF checks the HELO identity (null sender, RFC 7208 2.4) rather than MAIL FROM. */
    public boolean heloIdentity() {
        return mailFrom.isEmpty();
    }
}
