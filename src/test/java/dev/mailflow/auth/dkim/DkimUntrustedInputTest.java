package dev.mailflow.auth.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** SECURITY: mangled messages and key records never make the verifier throw, and never pass. */
class DkimUntrustedInputTest {

    static final Clock NOW = Clock.fixed(Instant.parse("2026-12-01T12:00:00Z"), ZoneOffset.UTC);

    @Test
    void randomByteChangesToASignedMessageNeverThrowAndNeverPass() throws Exception {
        var pair = DkimKeyGenerator.ed25519();
        byte[] signed = new DkimSigner(new DkimSigningKey("example.test", "ed", pair.getPrivate(),
                DkimAlgorithm.ED25519_SHA256), NOW).sign(DkimSignVerifyTest.MESSAGE.getBytes(StandardCharsets.UTF_8));
        var keys = new DkimTestKeys().put("ed", "example.test", DkimKeyGenerator.keyRecord(pair.getPublic()));
        var verifier = new DkimVerifier(keys, NOW, DkimPolicy.standard());
        assertThat(verifier.verify(signed).anyPassed()).isTrue();
        String text = new String(signed, StandardCharsets.ISO_8859_1);
        int unsignedStart = text.indexOf("X-Mailer:");
        int unsignedEnd = text.indexOf("\r\n", unsignedStart) + 2;
        Random random = new Random(6376);
        byte[] alphabet = " \t\r\n;=:abc0+/\u0000\u00ff".getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < 3000; i++) {
            byte[] m = signed.clone();
            int at = random.nextInt(m.length);
            byte b = alphabet[random.nextInt(alphabet.length)];
            if (m[at] == b) {
                continue;
            }
            byte old = m[at];
            m[at] = b;
            DkimVerification v = verifier.verify(m);
            // Relaxed canonicalization forgives some whitespace changes, and X-Mailer is not signed;
            // anything else must not pass.
            for (DkimResult r : v.signatures()) {
                assertThat(r.reason()).isNotEqualTo(DkimReason.CHECK_FAILED);
                assertThat(r.explanation()).doesNotContain("Exception");
                if (r.passed()) {
                    // Base64 ignores the unused low bits of b='s last character: the same signature.
                    assertThat(at >= unsignedStart && at < unsignedEnd || whitespace(b) || whitespace(old)
                            || sameSignatureBytes(signed, m))
                            .as("position %d changed to %d and still passes", at, b).isTrue();
                }
            }
        }
    }

    static boolean sameSignatureBytes(byte[] a, byte[] b) {
        try {
            var x = TagList.parse(RawMessage.parse(a).headers().get(0).value());
            var y = TagList.parse(RawMessage.parse(b).headers().get(0).value());
            java.util.function.Function<TagList, byte[]> sig = t -> java.util.Base64.getDecoder()
                    .decode(TagList.stripFws(t.get("b").orElseThrow()));
            return java.util.Arrays.equals(sig.apply(x), sig.apply(y))
                    && x.get("bh").equals(y.get("bh")) && !java.util.Arrays.equals(a, b);
        } catch (Exception e) {
            return false;
        }
    }

    static boolean whitespace(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }

    @Test
    void brokenKeyRecordsAreKeySyntaxNotExceptions() throws Exception {
        var pair = DkimKeyGenerator.rsa(1024);
        byte[] signed = new DkimSigner(new DkimSigningKey("example.test", "k", pair.getPrivate(),
                DkimAlgorithm.RSA_SHA256), NOW).sign(DkimSignVerifyTest.MESSAGE.getBytes(StandardCharsets.UTF_8));
        for (String record : List.of("", ";", "p", "p=%%%", "v=DKIM1; p=AAAA", "k=rsa; p=MIIB", "v=DKIM1; k=rsa; p= ;"
                + " p=x", "v=DKIM1; k=ed25519; p=" + "A".repeat(400), "k=rsa; h=sha256; s=email; t=y:s; p=====")) {
            var keys = new DkimTestKeys().put("k", "example.test", record);
            DkimResult r = new DkimVerifier(keys, NOW, DkimPolicy.standard()).verify(signed).signatures().get(0);
            assertThat(r.status()).as(record + ": " + r).isIn(DkimStatus.PERMERROR);
        }
    }

    @Test
    void aKeyLookupThatThrowsIsATemporaryError() throws Exception {
        var pair = DkimKeyGenerator.ed25519();
        byte[] signed = new DkimSigner(new DkimSigningKey("example.test", "ed", pair.getPrivate(),
                DkimAlgorithm.ED25519_SHA256), NOW).sign(DkimSignVerifyTest.MESSAGE.getBytes(StandardCharsets.UTF_8));
        DkimKeyLookup broken = (s, d) -> {
            throw new IllegalStateException("boom");
        };
        DkimResult r = new DkimVerifier(broken, NOW, DkimPolicy.standard()).verify(signed).signatures().get(0);
        assertThat(r.status()).isEqualTo(DkimStatus.TEMPERROR);
        assertThat(r.explanation()).doesNotContain("boom");
        assertThat(r.domain()).isEqualTo("example.test");
    }

    /**
     * SECURITY: picking the signed fields is linear: 50,000 header fields and a signature whose
     * h= names an absent field 20,000 times, five times over, once held a core for about a
     * minute. The bound here is generous; the quadratic scan needed far more.
     */
    @Test
    void aHugeHeaderListDoesNotCostQuadraticTime() throws Exception {
        var pair = DkimKeyGenerator.ed25519();
        var sb = new StringBuilder();
        for (int s = 0; s < 5; s++) {
            sb.append("DKIM-Signature: v=1; a=ed25519-sha256; d=example.test; s=ed; c=relaxed/relaxed; bh=AAAA; b=AAAA; h=")
                    .append(String.join(":", java.util.Collections.nCopies(20_000, "x-absent"))).append("\r\n");
        }
        for (int i = 0; i < 50_000; i++) {
            sb.append("X-Filler-").append(i).append(": v\r\n");
        }
        sb.append("From: a@example.test\r\n\r\nbody\r\n");
        byte[] message = sb.toString().getBytes(StandardCharsets.US_ASCII);
        var keys = new DkimTestKeys().put("ed", "example.test", DkimKeyGenerator.keyRecord(pair.getPublic()));
        var verification = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20),
                () -> new DkimVerifier(keys, NOW, DkimPolicy.standard()).verify(message));
        assertThat(verification.signatures()).hasSize(5).noneMatch(DkimResult::passed);
    }
}
