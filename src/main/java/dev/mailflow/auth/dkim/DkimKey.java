package dev.mailflow.auth.dkim;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * A DKIM key record, RFC 6376 section 3.6.1 ({@code v=DKIM1; k=rsa; p=...}), parsed and
 * checked, with its public key decoded by the JDK:
 * <ul>
 * <li>k=rsa: p= is a DER SubjectPublicKeyInfo (what every signer publishes); a bare PKCS#1
 *     RSAPublicKey, which some tools publish, is accepted too.</li>
 * <li>k=ed25519 (RFC 8463 section 4): p= is the raw 32-octet key; the JDK wants it inside a
 *     SubjectPublicKeyInfo, which is the fixed prefix {@code 302a300506032b6570032100}
 *     (SEQUENCE, AlgorithmIdentifier id-Ed25519 1.3.101.112, BIT STRING of 33 octets) followed
 *     by the key.</li>
 * </ul>
 * Also how a key is published: {@link #recordFor(PublicKey)}.
 *
 * <p>An Ed25519 key also keeps its point decoded for Bouncy Castle's verifier
 * ({@code ed25519Point}, null for RSA, or when the 32 octets are not a point on the curve, so
 * that nothing verifies with it), so that a key kept by {@link #parseCached} is not decoded
 * again for every signature.
 *
 * <p>SECURITY: the record comes from DNS and is untrusted; every problem is a {@link Refusal}
 * with our words.
 */
record DkimKey(String keyType, PublicKey publicKey, List<String> hashes, List<String> services, boolean testing,
        boolean strictIdentity, org.bouncycastle.math.ec.rfc8032.Ed25519.PublicPoint ed25519Point) {

    static final byte[] ED25519_SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
    private static final byte[] RSA_ALGORITHM_ID = HexFormat.of().parseHex("300d06092a864886f70d0101010500");

    /** Keys parsed before, by record text: the same key comes with every message of a sender. */
    private static final int CACHED_KEYS = 1024;
    private static final java.util.Map<String, DkimKey> PARSED = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(java.util.Map.Entry<String, DkimKey> eldest) {
                    return size() > CACHED_KEYS;
                }
            });

    /**
     * {@link #parse}, with the keys that parsed kept (a record that does not parse is parsed
     * again each time, so its reason names the right DNS name).
     */
    static DkimKey parseCached(String record, String where, boolean historic) throws Refusal {
        String cacheKey = (historic ? "h:" : "s:") + record;
        DkimKey key = PARSED.get(cacheKey);
        if (key == null) {
            key = parse(record, where, historic);
            PARSED.put(cacheKey, key);
        }
        return key;
    }

    /**
     * Parses one TXT record (its strings joined).
     *
     * @param where the DNS name, for the reasons
     */
    static DkimKey parse(String record, String where, boolean historic) throws Refusal {
        TagList tags;
        try {
            tags = TagList.parse(record);
        } catch (TagList.Invalid e) {
            throw new Refusal(DkimReason.KEY_SYNTAX, where, e.getMessage());
        }
        var version = tags.get("v");
        if (version.isPresent() && !version.get().equals("DKIM1")) {
            throw new Refusal(DkimReason.KEY_SYNTAX, where, "v=" + TagList.shorten(version.get()) + " is not DKIM1");
        }
        if (version.isPresent() && !historic && !tags.firstName().orElse("").equals("v")) {
            throw new Refusal(DkimReason.KEY_SYNTAX, where, "v= must be the first tag");
        }
        var p = tags.get("p");
        if (p.isEmpty()) {
            throw new Refusal(DkimReason.KEY_SYNTAX, where, "it has no p= tag");
        }
        String keyData = TagList.stripFws(p.get());
        if (keyData.isEmpty()) {
            throw new Refusal(DkimReason.KEY_REVOKED, where);
        }
        String k = tags.get("k").orElse("rsa").toLowerCase(Locale.ROOT);
        byte[] der;
        try {
            der = Base64.getDecoder().decode(keyData);
        } catch (IllegalArgumentException e) {
            throw new Refusal(DkimReason.KEY_SYNTAX, where, "p= is not base64");
        }
        PublicKey key = switch (k) {
            case "rsa" -> rsaKey(der, where);
            case "ed25519" -> ed25519Key(der, where);
            default -> throw new Refusal(DkimReason.KEY_SYNTAX, where,
                    "unknown key type k=" + TagList.shorten(k) + " (rsa and ed25519 exist)");
        };
        List<String> hashes = tags.get("h").map(DkimKey::colonList).orElse(List.of());
        List<String> services = tags.get("s").map(DkimKey::colonList).orElse(List.of("*"));
        List<String> flags = tags.get("t").map(DkimKey::colonList).orElse(List.of());
        return new DkimKey(k, key, hashes, services, flags.contains("y"), flags.contains("s"),
                k.equals("ed25519") ? DkimAlgorithm.ed25519Point(key) : null);
    }

    /** Bits of an RSA key's modulus; 0 for Ed25519, whose size is fixed. */
    int rsaBits() {
        return publicKey instanceof RSAPublicKey rsa ? rsa.getModulus().bitLength() : 0;
    }

    private static PublicKey rsaKey(byte[] der, String where) throws Refusal {
        try {
            KeyFactory f = KeyFactory.getInstance("RSA");
            try {
                return f.generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                return f.generatePublic(new X509EncodedKeySpec(spki(RSA_ALGORITHM_ID, der)));
            }
        } catch (GeneralSecurityException e) {
            throw new Refusal(DkimReason.KEY_SYNTAX, where, "p= is not an RSA public key");
        }
    }

    private static PublicKey ed25519Key(byte[] raw, String where) throws Refusal {
        if (raw.length != 32) {
            throw new Refusal(DkimReason.KEY_SYNTAX, where,
                    "an ed25519 p= must be 32 octets, this one has " + raw.length);
        }
        byte[] spki = Arrays.copyOf(ED25519_SPKI_PREFIX, ED25519_SPKI_PREFIX.length + 32);
        System.arraycopy(raw, 0, spki, ED25519_SPKI_PREFIX.length, 32);
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
        } catch (GeneralSecurityException e) {
            throw new Refusal(DkimReason.KEY_SYNTAX, where, "p= is not an Ed25519 public key");
        }
    }

    /** SEQUENCE { algorithm, BIT STRING { 0 unused bits, key } } in DER. */
    private static byte[] spki(byte[] algorithmId, byte[] key) {
        var bits = new ByteArrayOutputStream();
        bits.write(0);
        bits.writeBytes(key);
        var inner = new ByteArrayOutputStream();
        inner.writeBytes(algorithmId);
        der(inner, 0x03, bits.toByteArray());
        var out = new ByteArrayOutputStream();
        der(out, 0x30, inner.toByteArray());
        return out.toByteArray();
    }

    private static void der(ByteArrayOutputStream out, int tag, byte[] content) {
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else if (n < 0x10000) {
            out.write(0x82);
            out.write(n >> 8);
            out.write(n);
        } else {
            out.write(0x83);
            out.write(n >> 16);
            out.write(n >> 8);
            out.write(n);
        }
        out.writeBytes(content);
    }

    private static List<String> colonList(String v) {
        return Arrays.stream(v.split(":")).map(TagList::trimFws).map(s -> s.toLowerCase(Locale.ROOT))
                .filter(s -> !s.isEmpty()).toList();
    }

    /**
     * The key record to publish for a public key: {@code v=DKIM1; k=rsa; p=<SPKI>} or
     * {@code v=DKIM1; k=ed25519; p=<32 octets>}, base64.
     */
    static String recordFor(PublicKey key) {
        byte[] encoded = key.getEncoded();
        return switch (key.getAlgorithm()) {
            case "RSA" -> "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(encoded);
            case "Ed25519", "EdDSA" -> "v=DKIM1; k=ed25519; p=" + Base64.getEncoder().encodeToString(
                    Arrays.copyOfRange(encoded, ED25519_SPKI_PREFIX.length, encoded.length));
            default -> throw new IllegalArgumentException("not an RSA or Ed25519 key: " + key.getAlgorithm());
        };
    }
}
