package dev.mailflow.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * Password hashes as the configuration keeps them: bcrypt ({@code $2y$12$...}, Bouncy
 * Castle's OpenBSD implementation). A value that is not a bcrypt hash is a plain password,
 * accepted with a warning at start (test configurations).
 */
public final class Passwords {

    /** bcrypt cost: 2^12 rounds, about a quarter of a second on a server CPU. */
    static final int COST = 12;

    private Passwords() {
    }

    public static String hash(char[] password) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        return OpenBSDBCrypt.generate("2y", password, salt, COST);
    }

    public static boolean isHash(String stored) {
        return stored.startsWith("$2a$") || stored.startsWith("$2b$") || stored.startsWith("$2y$");
    }

    public static boolean matches(String stored, String password) {
        if (stored == null) {
            return false;
        }
        if (isHash(stored)) {
            try {
                return OpenBSDBCrypt.checkPassword(stored, password.toCharArray());
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        return MessageDigest.isEqual(stored.getBytes(StandardCharsets.UTF_8), password.getBytes(StandardCharsets.UTF_8));
    }
}
