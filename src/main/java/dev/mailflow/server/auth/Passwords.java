package dev.mailflow.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * Password hashes as the configuration keeps them: bcrypt ({@code $2y$12$...}, Bouncy
 * Castle's OpenBSD implementation). A value that is not a bcrypt hash is a plain password,
 * accepted with a warning at start (test configurations).
 *
 * <p>SECURITY: the password comes from the client. Plain passwords are compared in constant
 * time (SHA-256 of both, then {@link MessageDigest#isEqual}), which tells nothing of the
 * stored password's length either; {@link PasswordVerifier} adds the bcrypt work that makes
 * every check cost the same.
 */
public final class Passwords {

    /** bcrypt cost: 2^12 rounds, about a quarter of a second on a server CPU. */
    static final int COST = 12;

    /** The lowest and highest cost bcrypt allows (the exponent in {@code $2y$NN$}). */
    private static final int MIN_COST = 4;
    private static final int MAX_COST = 31;

    /** One dummy hash per cost, made once per process (see {@link #dummyHash}). */
    private static final Map<Integer, String> DUMMIES = new ConcurrentHashMap<>();

    private Passwords() {
    }

    public static String hash(char[] password) {
        return hash(password, COST);
    }

    static String hash(char[] password, int cost) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        return OpenBSDBCrypt.generate("2y", password, salt, cost);
    }

    public static boolean isHash(String stored) {
        return stored.startsWith("$2a$") || stored.startsWith("$2b$") || stored.startsWith("$2y$");
    }

    /** The cost of a bcrypt hash ({@code 12} for {@code $2y$12$...}), or -1 when it is not one. */
    static int costOf(String stored) {
        if (stored == null || !isHash(stored) || stored.length() < 7 || stored.charAt(6) != '$') {
            return -1;
        }
        char tens = stored.charAt(4);
        char ones = stored.charAt(5);
        if (tens < '0' || tens > '9' || ones < '0' || ones > '9') {
            return -1;
        }
        int cost = (tens - '0') * 10 + (ones - '0');
        return cost >= MIN_COST && cost <= MAX_COST ? cost : -1;
    }

    /**
     * A hash of a random password nobody knows, at {@code cost}: checking a password against
     * it takes as long as against a real hash of that cost, and never matches. Made once per
     * cost and process.
     */
    static String dummyHash(int cost) {
        return DUMMIES.computeIfAbsent(cost, c -> {
            var random = new SecureRandom();
            char[] password = new char[32];
            for (int i = 0; i < password.length; i++) {
                password[i] = (char) ('!' + random.nextInt(94));
            }
            return hash(password, c);
        });
    }

    /** Whether {@code password} is the stored one: a bcrypt check, or a constant-time comparison. */
    public static boolean matches(String stored, String password) {
        if (stored == null) {
            return false;
        }
        if (isHash(stored)) {
            return bcryptMatches(stored, password);
        }
        return plainMatches(stored, password);
    }

    static boolean bcryptMatches(String hash, String password) {
        try {
            return OpenBSDBCrypt.checkPassword(hash, password.toCharArray());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Constant time whatever the lengths: both sides are hashed to 32 bytes first. */
    static boolean plainMatches(String stored, String password) {
        return MessageDigest.isEqual(sha256(stored), sha256(password));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
