package dev.mailflow.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * SHA-512 crypt ({@code $6$[rounds=N$]salt$hash}), the scheme Dovecot calls
 * {@code {SHA512-CRYPT}} and glibc's crypt(3) makes: Ulrich Drepper's "Unix crypt using
 * SHA-256 and SHA-512" (2008), steps 1 to 22 of its algorithm, with SHA-512.
 *
 * <p>The salt is at most 16 characters; rounds default to 5000 and are kept within 1000 and
 * 999,999,999; a hash written with {@code rounds=} keeps it in its text, one without does not.
 * SECURITY: the password comes from the client; the check compares the whole recomputed text
 * in constant time.
 */
final class Sha512Crypt {

    static final String PREFIX = "$6$";
    static final int DEFAULT_ROUNDS = 5000;
    private static final int MIN_ROUNDS = 1000;
    private static final int MAX_ROUNDS = 999_999_999;
    private static final int MAX_SALT = 16;
    private static final String ROUNDS = "rounds=";
    private static final String B64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private Sha512Crypt() {
    }

    /** A stored hash split into what the check needs; null when it is not a well-formed one. */
    record Setting(String salt, int rounds, boolean roundsGiven) {

        static Setting parse(String stored) {
            if (stored == null || !stored.startsWith(PREFIX)) {
                return null;
            }
            String rest = stored.substring(PREFIX.length());
            int rounds = DEFAULT_ROUNDS;
            boolean given = false;
            if (rest.startsWith(ROUNDS)) {
                int end = rest.indexOf('$');
                if (end < 0) {
                    return null;
                }
                String digits = rest.substring(ROUNDS.length(), end);
                if (digits.isEmpty() || digits.length() > 10 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    return null;
                }
                rounds = (int) Math.max(MIN_ROUNDS, Math.min(MAX_ROUNDS, Long.parseLong(digits)));
                given = true;
                rest = rest.substring(end + 1);
            }
            int end = rest.indexOf('$');
            String salt = end < 0 ? rest : rest.substring(0, end);
            if (salt.length() > MAX_SALT) {
                salt = salt.substring(0, MAX_SALT);
            }
            return new Setting(salt, rounds, given);
        }
    }

    /** A new hash of {@code password} with a random 16-character salt and {@code rounds} (written out). */
    static String hash(char[] password, int rounds) {
        var random = new SecureRandom();
        var salt = new StringBuilder();
        for (int i = 0; i < MAX_SALT; i++) {
            salt.append(B64.charAt(random.nextInt(B64.length())));
        }
        return crypt(new String(password).getBytes(StandardCharsets.UTF_8),
                new Setting(salt.toString(), Math.max(MIN_ROUNDS, Math.min(MAX_ROUNDS, rounds)), true));
    }

    /** Whether {@code password} gives {@code stored}; false when {@code stored} is malformed. */
    static boolean matches(String stored, String password) {
        Setting setting = Setting.parse(stored);
        if (setting == null) {
            return false;
        }
        String computed = crypt(password.getBytes(StandardCharsets.UTF_8), setting);
        return MessageDigest.isEqual(computed.getBytes(StandardCharsets.UTF_8), stored.getBytes(StandardCharsets.UTF_8));
    }

    /** The full text ({@code $6$...}) for {@code key} under {@code setting}: Drepper's steps 1 to 22. */
    static String crypt(byte[] key, Setting setting) {
        byte[] salt = setting.salt().getBytes(StandardCharsets.UTF_8);
        // Steps 4-8: digest B of key, salt, key.
        MessageDigest b = sha512();
        b.update(key);
        b.update(salt);
        b.update(key);
        byte[] digestB = b.digest();
        // Steps 1-3, 9-12: digest A.
        MessageDigest a = sha512();
        a.update(key);
        a.update(salt);
        addRepeated(a, digestB, key.length);
        for (int n = key.length; n > 0; n >>= 1) {
            if ((n & 1) != 0) {
                a.update(digestB);
            } else {
                a.update(key);
            }
        }
        byte[] digestA = a.digest();
        // Steps 13-16: the P sequence, from the key repeated once per byte of it.
        MessageDigest dp = sha512();
        for (int i = 0; i < key.length; i++) {
            dp.update(key);
        }
        byte[] p = sequence(dp.digest(), key.length);
        // Steps 17-20: the S sequence, from the salt repeated 16 + A[0] times.
        MessageDigest ds = sha512();
        for (int i = 0; i < 16 + (digestA[0] & 0xff); i++) {
            ds.update(salt);
        }
        byte[] s = sequence(ds.digest(), salt.length);
        // Step 21: the rounds.
        byte[] c = digestA;
        MessageDigest round = sha512();
        for (int i = 0; i < setting.rounds(); i++) {
            round.update((i & 1) != 0 ? p : c);
            if (i % 3 != 0) {
                round.update(s);
            }
            if (i % 7 != 0) {
                round.update(p);
            }
            round.update((i & 1) != 0 ? c : p);
            c = round.digest();
        }
        // Step 22: the text.
        var out = new StringBuilder(PREFIX);
        if (setting.roundsGiven()) {
            out.append(ROUNDS).append(setting.rounds()).append('$');
        }
        out.append(setting.salt()).append('$');
        // The byte order of the SHA-512 text: groups (i, i+21, i+42) modulo 63, i stepping by 22.
        int first = 0;
        for (int group = 0; group < 21; group++) {
            int second = (first + 21) % 63;
            int third = (second + 21) % 63;
            base64(out, c[first], c[second], c[third], 4);
            first = (first + 22) % 63;
        }
        base64(out, (byte) 0, (byte) 0, c[63], 2);
        return out.toString();
    }

    private static void addRepeated(MessageDigest d, byte[] block, int length) {
        int n = length;
        for (; n > 64; n -= 64) {
            d.update(block);
        }
        d.update(block, 0, n);
    }

    private static byte[] sequence(byte[] block, int length) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = block[i % 64];
        }
        return out;
    }

    private static void base64(StringBuilder out, byte b2, byte b1, byte b0, int chars) {
        int w = ((b2 & 0xff) << 16) | ((b1 & 0xff) << 8) | (b0 & 0xff);
        for (int i = 0; i < chars; i++) {
            out.append(B64.charAt(w & 0x3f));
            w >>>= 6;
        }
    }

    private static MessageDigest sha512() {
        try {
            return MessageDigest.getInstance("SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-512", e);
        }
    }
}
