package dev.mailflow.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id (RFC 9106) in the PHC string form that Dovecot's {@code {ARGON2ID}} and libsodium
 * write: {@code $argon2id$v=19$m=65536,t=3,p=1$<salt>$<hash>}, salt and hash in base64 without
 * padding. The hashing itself is Bouncy Castle's {@link Argon2BytesGenerator}.
 *
 * <p>SECURITY: the parameters come from the stored hash, the password from the client. A
 * stored hash asking for more than {@link #MAX_MEMORY_KIB} of memory (or half of the
 * heap), {@link #MAX_ITERATIONS} passes, {@link #MAX_WORK_KIB} of memory times passes or
 * {@link #MAX_LANES} lanes is refused (never matches) instead of exhausting the heap or a
 * password thread; the check compares the recomputed hash in constant time.
 */
final class Argon2id {

    static final String PREFIX = "$argon2id$";

    /** Dovecot's and libsodium's defaults for interactive logins: 64 MiB, 3 passes, 1 lane. */
    static final int DEFAULT_MEMORY_KIB = 65_536;
    static final int DEFAULT_ITERATIONS = 3;
    static final int DEFAULT_LANES = 1;

    static final int MAX_MEMORY_KIB = 1 << 18;
    /** Memory times passes: 1 GiB-passes, about 4 s of one core here. */
    static final long MAX_WORK_KIB = 1L << 20;
    static final int MAX_ITERATIONS = 64;
    static final int MAX_LANES = 16;

    private Argon2id() {
    }

    /** The parts of a stored hash; null when it is not a well-formed one within the limits. */
    record Setting(int version, int memoryKib, int iterations, int lanes, byte[] salt, byte[] hash) {

        static Setting parse(String stored) {
            if (stored == null || !stored.startsWith(PREFIX)) {
                return null;
            }
            String[] parts = stored.substring(PREFIX.length()).split("\\$", -1);
            int i = 0;
            int version = Argon2Parameters.ARGON2_VERSION_10;
            if (parts.length == 4 && parts[0].startsWith("v=")) {
                Integer v = number(parts[0].substring(2));
                if (v == null || (v != Argon2Parameters.ARGON2_VERSION_10 && v != Argon2Parameters.ARGON2_VERSION_13)) {
                    return null;
                }
                version = v;
                i = 1;
            } else if (parts.length != 3) {
                return null;
            }
            Integer m = null;
            Integer t = null;
            Integer p = null;
            for (String param : parts[i].split(",", -1)) {
                int eq = param.indexOf('=');
                Integer value = eq < 0 ? null : number(param.substring(eq + 1));
                if (value == null) {
                    return null;
                }
                switch (param.substring(0, eq)) {
                    case "m" -> m = value;
                    case "t" -> t = value;
                    case "p" -> p = value;
                    default -> {
                        return null;
                    }
                }
            }
            if (m == null || t == null || p == null || t < 1 || t > MAX_ITERATIONS || p < 1 || p > MAX_LANES
                    || m < 8 * p || m > MAX_MEMORY_KIB || (long) m * t > MAX_WORK_KIB
                    || m * 1024L > Runtime.getRuntime().maxMemory() / 2) {
                return null;
            }
            byte[] salt = decode(parts[i + 1]);
            byte[] hash = decode(parts[i + 2]);
            if (salt == null || hash == null || salt.length < 8 || hash.length < 4) {
                return null;
            }
            return new Setting(version, m, t, p, salt, hash);
        }

        private static Integer number(String s) {
            if (s.isEmpty() || s.length() > 9 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return null;
            }
            return Integer.parseInt(s);
        }

        private static byte[] decode(String s) {
            if (s.isEmpty() || s.indexOf('=') >= 0) {
                return null;
            }
            try {
                return Base64.getDecoder().decode(s);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
    }

    /** A new hash of {@code password} with a random 16-byte salt and a 32-byte output. */
    static String hash(char[] password, int memoryKib, int iterations, int lanes) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        byte[] out = compute(new String(password).getBytes(StandardCharsets.UTF_8), Argon2Parameters.ARGON2_VERSION_13,
                memoryKib, iterations, lanes, salt, 32);
        var b64 = Base64.getEncoder().withoutPadding();
        return PREFIX + "v=" + Argon2Parameters.ARGON2_VERSION_13 + "$m=" + memoryKib + ",t=" + iterations + ",p=" + lanes
                + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(out);
    }

    /** Whether {@code password} gives the hash in {@code stored}; false when it is malformed or beyond the limits. */
    static boolean matches(String stored, String password) {
        Setting s = Setting.parse(stored);
        if (s == null) {
            return false;
        }
        byte[] computed = compute(password.getBytes(StandardCharsets.UTF_8), s.version(), s.memoryKib(), s.iterations(),
                s.lanes(), s.salt(), s.hash().length);
        return MessageDigest.isEqual(computed, s.hash());
    }

    private static byte[] compute(byte[] password, int version, int memoryKib, int iterations, int lanes, byte[] salt,
            int length) {
        var params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id).withVersion(version)
                .withMemoryAsKB(memoryKib).withIterations(iterations).withParallelism(lanes).withSalt(salt).build();
        var generator = new Argon2BytesGenerator();
        generator.init(params);
        byte[] out = new byte[length];
        generator.generateBytes(password, out);
        return out;
    }
}
