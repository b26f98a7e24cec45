package dev.mailflow.web;

import dev.mailflow.server.auth.Passwords;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;

/**
 * Who may read {@code /metrics}: anyone when the console is open (on loopback by default),
 * else a scraper that sends HTTP Basic credentials (RFC 7617) with the admin password and
 * any user name, as Prometheus's {@code basic_auth}. Failures count against the same
 * per-address limit as console logins. The last accepted credentials are remembered by
 * their SHA-256, so a scrape every few seconds does not cost a bcrypt check each time.
 */
final class MetricsAccess {

    /** The answer to a scrape. */
    enum Verdict { ALLOWED, CREDENTIALS_NEEDED, BLOCKED }

    static final String CHALLENGE = "Basic realm=\"Mailflow metrics\", charset=\"UTF-8\"";

    private final boolean loginRequired;
    private final ConsolePassword password;
    private final Sessions limiter;
    private volatile byte[] accepted;

    MetricsAccess(boolean loginRequired, ConsolePassword password, Sessions limiter) {
        this.loginRequired = loginRequired;
        this.password = password;
        this.limiter = limiter;
    }

    Verdict check(InetAddress client, String authorization) {
        if (!loginRequired) {
            return Verdict.ALLOWED;
        }
        if (limiter.loginBlocked(client)) {
            return Verdict.BLOCKED;
        }
        if (authorization == null || authorization.isBlank()) {
            return Verdict.CREDENTIALS_NEEDED;
        }
        String hash = password.current();
        // With the stored password in the digest: a new password makes the remembered credentials useless.
        byte[] digest = sha256(hash + "\n" + authorization.strip());
        byte[] known = accepted;
        if (known != null && MessageDigest.isEqual(known, digest)) {
            return Verdict.ALLOWED;
        }
        String given = password(authorization.strip());
        if (given != null && Passwords.matches(hash, given)) {
            accepted = digest;
            return Verdict.ALLOWED;
        }
        limiter.loginFailed(client);
        return Verdict.CREDENTIALS_NEEDED;
    }

    /** The password of {@code Basic base64(user:password)}, or null when the header is not that. */
    static String password(String authorization) {
        int space = authorization.indexOf(' ');
        if (space < 0 || !authorization.substring(0, space).toLowerCase(Locale.ROOT).equals("basic")) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(space + 1).strip()),
                    StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        return colon < 0 ? null : decoded.substring(colon + 1);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
