package dev.mailflow.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * Password hashes as the configuration and the directories keep them, in the three schemes
 * Dovecot also reads: bcrypt ({@code $2y$12$...}, Dovecot's {@code {BLF-CRYPT}}, Bouncy
 * Castle's OpenBSD implementation), SHA-512 crypt ({@code $6$...}, {@code {SHA512-CRYPT}},
 * {@link Sha512Crypt}) and Argon2id ({@code $argon2id$...}, {@code {ARGON2ID}},
 * {@link Argon2id}). A value that is none of them is a plain password, accepted with a warning
 * at start (test configurations).
 *
 * <p>SECURITY: the password comes from the client. Plain passwords are compared in constant
 * time (SHA-256 of both, then {@link MessageDigest#isEqual}), which tells nothing of the
 * stored password's length either; {@link PasswordVerifier} adds the hashing work that makes
 * every check cost the same.
 */
public final class Passwords {

    /** bcrypt cost: 2^12 rounds, about a quarter of a second on a server CPU. */
    static final int COST = 12;

    /** The lowest and highest cost bcrypt allows (the exponent in {@code $2y$NN$}). */
    private static final int MIN_COST = 4;
    private static final int MAX_COST = 31;

    /**
     * The most work one check may ask, whatever a stored hash says: a row with more would hold
     * a password thread for minutes (and through the dummy, every unknown account after it).
     * bcrypt cost 16 is about 4 s here, 1,000,000 rounds of SHA-512 crypt about 1 s.
     */
    static final int MAX_CHECKED_COST = 16;
    static final int MAX_CHECKED_ROUNDS = 1_000_000;

    /** One dummy hash per work, made once per process (see {@link #dummyHash}). */
    private static final Map<Work, String> DUMMIES = new ConcurrentHashMap<>();

    /** Different works a process keeps dummies for: a directory mixes a few schemes at most. */
    static final int MAX_DUMMIES = 8;

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

    /** A new hash in {@code scheme} with its default work: bcrypt 12, SHA-512 crypt 5000 rounds, Argon2id 64 MiB, 3 passes. */
    public static String hash(char[] password, Scheme scheme) {
        return switch (scheme) {
            case BCRYPT -> hash(password, COST);
            case SHA512_CRYPT -> Sha512Crypt.hash(password, Sha512Crypt.DEFAULT_ROUNDS);
            case ARGON2ID -> Argon2id.hash(password, Argon2id.DEFAULT_MEMORY_KIB, Argon2id.DEFAULT_ITERATIONS,
                    Argon2id.DEFAULT_LANES);
        };
    }

    /** The hash schemes Mailflow checks, by the prefix of the stored text. */
    public enum Scheme {
        BCRYPT("{BLF-CRYPT}"), SHA512_CRYPT("{SHA512-CRYPT}"), ARGON2ID("{ARGON2ID}");

        private final String dovecotPrefix;

        Scheme(String dovecotPrefix) {
            this.dovecotPrefix = dovecotPrefix;
        }

        /** The scheme's name in braces, as Dovecot and PostfixAdmin keep it before the hash. */
        public String dovecotPrefix() {
            return dovecotPrefix;
        }

        /**
         * The scheme Dovecot names so ({@code BLF-CRYPT} or {@code BCRYPT}, {@code SHA512-CRYPT},
         * {@code ARGON2ID}, in any case), or null.
         */
        public static Scheme named(String name) {
            String n = "{" + name.toUpperCase(java.util.Locale.ROOT) + "}";
            if (n.equals("{BCRYPT}")) {
                return BCRYPT;
            }
            for (var s : values()) {
                if (s.dovecotPrefix.equals(n)) {
                    return s;
                }
            }
            return null;
        }

        /** The scheme of {@code stored}, or null when it is no hash (a plain password). */
        public static Scheme of(String stored) {
            if (stored == null) {
                return null;
            }
            if (stored.startsWith("$2a$") || stored.startsWith("$2b$") || stored.startsWith("$2y$")) {
                return BCRYPT;
            }
            if (stored.startsWith(Sha512Crypt.PREFIX)) {
                return SHA512_CRYPT;
            }
            if (stored.startsWith(Argon2id.PREFIX)) {
                return ARGON2ID;
            }
            return null;
        }
    }

    /**
     * The work a stored hash asks of a check: its scheme and cost ({@code 12} for bcrypt
     * {@code $2y$12$}; the rounds of SHA-512 crypt; memory, passes and lanes of Argon2id).
     * Two hashes with the same work take as long to check. {@code weight} orders works of one
     * scheme (the higher, the slower).
     */
    record Work(Scheme scheme, String cost, long weight) {

        /** bcrypt at {@code cost}. */
        static Work bcrypt(int cost) {
            return new Work(Scheme.BCRYPT, Integer.toString(cost), cost);
        }

        /** The work of {@code stored}, or null when it is no hash or a malformed one. */
        static Work of(String stored) {
            Scheme scheme = Scheme.of(stored);
            if (scheme == null) {
                return null;
            }
            return switch (scheme) {
                case BCRYPT -> {
                    int c = costOf(stored);
                    yield c < 0 || c > MAX_CHECKED_COST ? null : new Work(scheme, Integer.toString(c), c);
                }
                case SHA512_CRYPT -> {
                    var s = Sha512Crypt.Setting.parse(stored);
                    yield s == null || s.rounds() > MAX_CHECKED_ROUNDS ? null
                            : new Work(scheme, Integer.toString(s.rounds()), s.rounds());
                }
                case ARGON2ID -> {
                    var s = Argon2id.Setting.parse(stored);
                    yield s == null ? null : new Work(scheme, s.memoryKib() + "," + s.iterations() + "," + s.lanes(),
                            (long) s.memoryKib() * s.iterations());
                }
            };
        }

        /** A hash of {@code password} that asks this work. */
        String hash(char[] password) {
            return switch (scheme) {
                case BCRYPT -> Passwords.hash(password, Integer.parseInt(cost));
                case SHA512_CRYPT -> Sha512Crypt.hash(password, Integer.parseInt(cost));
                case ARGON2ID -> {
                    String[] p = cost.split(",");
                    yield Argon2id.hash(password, Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]));
                }
            };
        }
    }

    /**
     * A stored password as Mailflow checks it, from one that may carry Dovecot's scheme prefix:
     * {@code {BLF-CRYPT}$2y$...}, {@code {SHA512-CRYPT}$6$...}, {@code {ARGON2ID}$argon2id$...},
     * {@code {CRYPT}} with one of those, {@code {PLAIN}text}; a value without a prefix as it is.
     *
     * @param value   the hash or plain text to check against, or null when it cannot be checked
     * @param problem why it cannot (a sentence), or null
     */
    public record Stored(String value, String problem) {

        /** As the configuration file keeps it: a value that is no hash and has no prefix is plain text. */
        public static Stored of(String stored) {
            return of(stored, true);
        }

        /**
         * As a directory table keeps it ({@code plainWithoutPrefix} false): there, as in
         * Dovecot's tables, a value without a prefix is a hash; one Mailflow does not know
         * ({@code $1$} MD5-crypt, {@code $5$} SHA-256-crypt, anything else) cannot be checked,
         * and plain text needs {@code {PLAIN}}, so that a stored hash never works as a password.
         */
        public static Stored of(String stored, boolean plainWithoutPrefix) {
            if (stored == null || stored.isEmpty()) {
                return new Stored(null, null);
            }
            int end = stored.indexOf('}');
            if (!stored.startsWith("{") || end < 2 || !stored.substring(1, end).matches("[A-Za-z0-9.-]+")) {
                if (Scheme.of(stored) != null) {
                    return checked(stored);
                }
                if (plainWithoutPrefix) {
                    return new Stored(stored, null);
                }
                return new Stored(null, "it has no {SCHEME} prefix and is not a hash Mailflow checks (bcrypt $2y$, "
                        + "SHA-512 crypt $6$, Argon2id $argon2id$); plain text needs {PLAIN}");
            }
            String scheme = stored.substring(1, end).toUpperCase(java.util.Locale.ROOT);
            String rest = stored.substring(end + 1);
            // {CRYPT} says only "crypt(3)": the hash's own prefix tells which.
            Scheme expected = scheme.equals("CRYPT") ? Scheme.of(rest) : Scheme.named(scheme);
            if (scheme.equals("PLAIN") || scheme.equals("CLEARTEXT")) {
                return new Stored(rest, null);
            }
            if (expected == null && !scheme.equals("CRYPT")) {
                return new Stored(null, "it is in the {" + scheme + "} scheme, which Mailflow cannot check (use "
                        + "{BLF-CRYPT}, {SHA512-CRYPT} or {ARGON2ID}: 'mailflow passwd --scheme ... --dovecot' or "
                        + "'doveadm pw -s ...' makes them)");
            }
            if (expected == null || Scheme.of(rest) != expected) {
                return new Stored(null, "it is marked {" + scheme + "} but is not a hash of that form");
            }
            return checked(rest);
        }
    }

    private static Stored checked(String hash) {
        if (Work.of(hash) == null) {
            return new Stored(null, "the hash is malformed or asks more work than Mailflow runs for one check "
                    + "(bcrypt cost over " + MAX_CHECKED_COST + ", SHA-512 crypt over " + MAX_CHECKED_ROUNDS
                    + " rounds, Argon2id over " + Argon2id.MAX_MEMORY_KIB / 1024 + " MiB, half of the heap, or "
                    + Argon2id.MAX_WORK_KIB / (1024 * 1024) + " GiB of passes)");
        }
        return new Stored(hash, null);
    }

    public static boolean isHash(String stored) {
        return Scheme.of(stored) != null;
    }

    /** The cost of a bcrypt hash ({@code 12} for {@code $2y$12$...}), or -1 when it is not one. */
    static int costOf(String stored) {
        if (stored == null || Scheme.of(stored) != Scheme.BCRYPT || stored.length() < 7 || stored.charAt(6) != '$') {
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

    /** A dummy bcrypt hash at {@code cost} (see {@link #dummyHash(Work)}). */
    static String dummyHash(int cost) {
        return dummyHash(Work.bcrypt(cost));
    }

    /**
     * A hash of a random password nobody knows, asking {@code work}: checking a password
     * against it takes as long as against a real hash of that work, and never matches. Made
     * once per work and process; beyond {@link #MAX_DUMMIES} different works, made each time.
     */
    static String dummyHash(Work work) {
        String known = DUMMIES.get(work);
        if (known != null) {
            return known;
        }
        var random = new SecureRandom();
        char[] password = new char[32];
        for (int i = 0; i < password.length; i++) {
            password[i] = (char) ('!' + random.nextInt(94));
        }
        String made = work.hash(password);
        if (DUMMIES.size() < MAX_DUMMIES) {
            String raced = DUMMIES.putIfAbsent(work, made);
            return raced != null ? raced : made;
        }
        return made;
    }

    /** Whether {@code password} is the stored one: a hash check, or a constant-time comparison. */
    public static boolean matches(String stored, String password) {
        if (stored == null) {
            return false;
        }
        if (isHash(stored)) {
            return hashMatches(stored, password);
        }
        return plainMatches(stored, password);
    }

    /** Whether {@code password} gives the hash {@code stored}; false for a malformed hash or one asking too much work. */
    static boolean hashMatches(String stored, String password) {
        Scheme scheme = Scheme.of(stored);
        if (scheme == null || Work.of(stored) == null) {
            return false;
        }
        return switch (scheme) {
            case BCRYPT -> bcryptMatches(stored, password);
            case SHA512_CRYPT -> Sha512Crypt.matches(stored, password);
            case ARGON2ID -> Argon2id.matches(stored, password);
        };
    }

    static boolean bcryptMatches(String hash, String password) {
        try {
            return OpenBSDBCrypt.checkPassword(hash, password.toCharArray());
        } catch (IllegalArgumentException | org.bouncycastle.crypto.DataLengthException e) {
            return false; // a malformed hash ($2y$12$ and too short, say): it matches nothing
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
