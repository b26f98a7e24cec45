package dev.mailflow.auth.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Sign, then verify: RSA 2048 and Ed25519, and what one changed byte does (RFC 6376 5 and 6). */
class DkimSignVerifyTest {

    static final Clock NOW = Clock.fixed(Instant.parse("2026-12-01T12:00:00Z"), ZoneOffset.UTC);
    static final String MESSAGE = "From: Kate <kate@example.test>\r\n"
            + "To: Chris <chris@contoso.test>\r\n"
            + "Subject: Test from Mailflow\r\n"
            + "Date: Tue, 1 Dec 2026 12:00:00 +0000\r\n"
            + "Message-ID: <1@example.test>\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\n"
            + "X-Mailer: none\r\n"
            + "\r\n"
            + "This is a test message.\r\n"
            + "Second line  with  spaces.\r\n";

    static KeyPair rsa;
    static KeyPair ed;

    @BeforeAll
    static void keys() {
        rsa = DkimKeyGenerator.rsa(2048);
        ed = DkimKeyGenerator.ed25519();
    }

    static DkimSigningKey signingKey(KeyPair pair, String selector) throws DkimKeyException {
        return DkimSigningKey.fromPem("example.test", selector, DkimKeyGenerator.privateKeyPem(pair));
    }

    static DkimTestKeys published() {
        return new DkimTestKeys().put("rsa", "example.test", DkimKeyGenerator.keyRecord(rsa.getPublic()))
                .put("ed", "example.test", DkimKeyGenerator.keyRecord(ed.getPublic()));
    }

    static byte[] signBoth(String message) throws DkimKeyException {
        byte[] m = message.getBytes(StandardCharsets.UTF_8);
        m = new DkimSigner(signingKey(rsa, "rsa"), NOW).sign(m);
        return new DkimSigner(signingKey(ed, "ed"), NOW).sign(m);
    }

    static List<DkimResult> verify(byte[] message) {
        return new DkimVerifier(published(), NOW, DkimPolicy.standard()).verify(message).signatures();
    }

    static byte[] replaceOnce(byte[] m, String from, String to) {
        String s = new String(m, StandardCharsets.ISO_8859_1);
        int i = s.lastIndexOf(from);
        assertThat(i).as(from).isNotNegative();
        return (s.substring(0, i) + to + s.substring(i + from.length())).getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void rsa2048AndEd25519SignaturesVerify() throws Exception {
        List<DkimResult> r = verify(signBoth(MESSAGE));
        assertThat(r).extracting(DkimResult::algorithm).containsExactly("ed25519-sha256", "rsa-sha256");
        assertThat(r).allSatisfy(x -> {
            assertThat(x.status()).as(x.toString()).isEqualTo(DkimStatus.PASS);
            assertThat(x.domain()).isEqualTo("example.test");
            assertThat(x.identity()).isEqualTo("@example.test");
        });
    }

    @Test
    void oneChangedBodyByteFailsWithBodyHashMismatch() throws Exception {
        byte[] m = replaceOnce(signBoth(MESSAGE), "test message", "test massage");
        assertThat(verify(m)).allSatisfy(x -> {
            assertThat(x.reason()).isEqualTo(DkimReason.BODY_HASH_MISMATCH);
            assertThat(x.explanation()).contains("body was changed").contains("header fields are unchanged");
        });
    }

    @Test
    void oneChangedHeaderByteFailsWithSignatureMismatch() throws Exception {
        byte[] m = replaceOnce(signBoth(MESSAGE), "Subject: Test", "Subject: Best");
        assertThat(verify(m)).allSatisfy(x -> assertThat(x.reason()).isEqualTo(DkimReason.SIGNATURE_MISMATCH));
    }

    @Test
    void unsignedHeaderFieldsMayChangeAndTraceFieldsMayBeAdded() throws Exception {
        byte[] m = replaceOnce(signBoth(MESSAGE), "X-Mailer: none", "X-Mailer: other");
        m = ("Received: from a by b; Tue, 1 Dec 2026 12:00:01 +0000\r\n" + new String(m, StandardCharsets.ISO_8859_1))
                .getBytes(StandardCharsets.ISO_8859_1);
        assertThat(verify(m)).allSatisfy(x -> assertThat(x.status()).isEqualTo(DkimStatus.PASS));
    }

    @Test
    void anAddedReplyToOrSecondFromBreaksTheSignatureBecauseTheyAreOversigned() throws Exception {
        for (String added : List.of("Reply-To: evil@evil.test", "From: evil@evil.test", "Cc: evil@evil.test")) {
            byte[] m = replaceOnce(signBoth(MESSAGE), "X-Mailer: none", added);
            assertThat(verify(m)).as(added)
                    .allSatisfy(x -> assertThat(x.reason()).isEqualTo(DkimReason.SIGNATURE_MISMATCH));
        }
    }

    @Test
    void theFieldIsFoldedAt78ColumnsWithTheChosenHeaderListAndNoBodyLength() throws Exception {
        String field = new DkimSigner(signingKey(rsa, "rsa"), NOW).signatureField(MESSAGE.getBytes(StandardCharsets.UTF_8));
        assertThat(field).startsWith("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.test;")
                .endsWith("\r\n");
        for (String line : field.split("\r\n")) {
            assertThat(line.length()).as(line).isLessThanOrEqualTo(78);
        }
        String unfolded = field.replace("\r\n ", "");
        assertThat(unfolded).contains("t=" + NOW.instant().getEpochSecond() + ";")
                .contains("h=from:from:reply-to:subject:subject:to:to:cc:date:message-id:mime-version:content-type;")
                .doesNotContain(";l=").doesNotContain("; l=").doesNotContain("x-mailer").doesNotContain("; i=");
    }

    @Test
    void emptyBodyAndMissingFinalCrlfSignAndVerify() throws Exception {
        for (String m : List.of("From: a@example.test\r\nSubject: x\r\n\r\n", "From: a@example.test\r\n",
                "From: a@example.test\r\n\r\nno final CRLF", "From: a@example.test\r\n\r\n\r\n\r\n")) {
            assertThat(verify(signBoth(m))).as(m).allSatisfy(x -> assertThat(x.status()).isEqualTo(DkimStatus.PASS));
        }
    }

    @Test
    void keyAndRecordProblemsHaveTheirReasons() throws Exception {
        byte[] m = signBoth(MESSAGE);
        var keys = new DkimTestKeys().put("ed", "example.test", "v=DKIM1; k=ed25519; p=")
                .answer("rsa", "example.test", new DkimKeyLookup.TempFail("DNS timeout"));
        List<DkimResult> r = new DkimVerifier(keys, NOW, DkimPolicy.standard()).verify(m).signatures();
        assertThat(r.get(0).reason()).isEqualTo(DkimReason.KEY_REVOKED);
        assertThat(r.get(0).status()).isEqualTo(DkimStatus.PERMERROR);
        assertThat(r.get(1).reason()).isEqualTo(DkimReason.KEY_TEMPFAIL);
        assertThat(r.get(1).status()).isEqualTo(DkimStatus.TEMPERROR);
        assertThat(r.get(1).explanation()).contains("rsa._domainkey.example.test").contains("DNS timeout");

        var none = new DkimVerifier(new DkimTestKeys(), NOW, DkimPolicy.standard()).verify(m).signatures();
        assertThat(none).allSatisfy(x -> {
            assertThat(x.reason()).isEqualTo(DkimReason.KEY_NOT_FOUND);
            assertThat(x.explanation()).startsWith("key not found");
        });

        // An ed25519 key published where the RSA signature looks, and the other way round.
        var swapped = new DkimTestKeys().put("rsa", "example.test", DkimKeyGenerator.keyRecord(ed.getPublic()))
                .put("ed", "example.test", DkimKeyGenerator.keyRecord(rsa.getPublic()));
        assertThat(new DkimVerifier(swapped, NOW, DkimPolicy.standard()).verify(m).signatures())
                .allSatisfy(x -> assertThat(x.reason()).isEqualTo(DkimReason.KEY_TYPE_MISMATCH));

        // A 32-octet key that is not the signer's: the signature does not verify.
        var other = new DkimTestKeys().put("ed", "example.test",
                DkimKeyGenerator.keyRecord(DkimKeyGenerator.ed25519().getPublic()));
        assertThat(new DkimVerifier(other, NOW, DkimPolicy.standard()).verify(m).signatures().get(0).reason())
                .isEqualTo(DkimReason.SIGNATURE_MISMATCH);

        var broken = new DkimTestKeys().put("ed", "example.test", "v=DKIM1; k=ed25519; p=AAAA");
        DkimResult b = new DkimVerifier(broken, NOW, DkimPolicy.standard()).verify(m).signatures().get(0);
        assertThat(b.reason()).isEqualTo(DkimReason.KEY_SYNTAX);
        assertThat(b.explanation()).contains("32 octets");
    }

    @Test
    void shortRsaKeysAreRefusedWithTheReason() throws Exception {
        var g = java.security.KeyPairGenerator.getInstance("RSA");
        g.initialize(768);
        KeyPair small = g.generateKeyPair();
        // Signing refuses it...
        String pem = DkimSigningKey.toPem(small.getPrivate());
        assertThatThrownBy(() -> DkimSigningKey.fromPem("example.test", "s", pem)).isInstanceOf(DkimKeyException.class)
                .hasMessageContaining("768 bits").hasMessageContaining("1024");
        // ...and a signature made with it anyway is refused by the verifier.
        var key = new DkimSigningKey("example.test", "small", small.getPrivate(), DkimAlgorithm.RSA_SHA256);
        byte[] m = new DkimSigner(key, NOW).sign(MESSAGE.getBytes(StandardCharsets.UTF_8));
        var keys = new DkimTestKeys().put("small", "example.test", DkimKeyGenerator.keyRecord(small.getPublic()));
        DkimResult r = new DkimVerifier(keys, NOW, DkimPolicy.standard()).verify(m).signatures().get(0);
        assertThat(r.status()).isEqualTo(DkimStatus.POLICY);
        assertThat(r.reason()).isEqualTo(DkimReason.KEY_TOO_SHORT);
        assertThat(r.explanation()).contains("768 bits").contains("factored");
        // Under 2007's rules it verifies: the refusal is the rule, not a broken signature.
        assertThat(new DkimVerifier(keys, NOW, DkimPolicy.historicForCorpus()).verify(m).signatures().get(0).status())
                .isEqualTo(DkimStatus.PASS);
    }

    @Test
    void expiryAndFutureTimestamps() throws Exception {
        byte[] m = signBoth(MESSAGE);
        Clock before = Clock.offset(NOW, java.time.Duration.ofHours(-1));
        assertThat(new DkimVerifier(published(), before, DkimPolicy.standard()).verify(m).signatures())
                .allSatisfy(x -> assertThat(x.reason()).isEqualTo(DkimReason.TIMESTAMP_IN_FUTURE));
        Clock slightlyBefore = Clock.offset(NOW, java.time.Duration.ofMinutes(-2));
        assertThat(new DkimVerifier(published(), slightlyBefore, DkimPolicy.standard()).verify(m).anyPassed()).isTrue();
    }

    @Test
    void onlyTheFirstSignaturesUpToTheLimitAreChecked() throws Exception {
        byte[] m = MESSAGE.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 7; i++) {
            m = new DkimSigner(signingKey(ed, "ed"), NOW).sign(m);
        }
        var keys = published();
        DkimVerification v = new DkimVerifier(keys, NOW, DkimPolicy.standard()).verify(m);
        assertThat(v.signatures()).hasSize(5).allSatisfy(x -> assertThat(x.passed()).isTrue());
        assertThat(v.notChecked()).isEqualTo(2);
        assertThat(keys.asked).hasSize(5);
    }

    @Test
    void longAndUtf8DomainsAreReportedWhole() throws Exception {
        for (String domain : List.of("a-rather-long-subdomain-name-for-testing.mail.department.example.test",
                "bücher.example.test")) {
            var key = new DkimSigningKey(domain, "ed", ed.getPrivate(), DkimAlgorithm.ED25519_SHA256);
            byte[] m = new DkimSigner(key, NOW).sign(MESSAGE.getBytes(StandardCharsets.UTF_8));
            String ascii = java.net.IDN.toASCII(domain);
            var keys = new DkimTestKeys().put("ed", ascii, DkimKeyGenerator.keyRecord(ed.getPublic()));
            DkimVerification v = new DkimVerifier(keys, NOW, DkimPolicy.standard()).verify(m);
            assertThat(v.signatures().get(0).domain()).isEqualTo(ascii);
            assertThat(v.passedFor(domain)).as(v.signatures().toString()).isTrue();
        }
    }

    @Test
    void anUnsignedMessageHasNoResults() {
        DkimVerification v = new DkimVerifier(published(), NOW, DkimPolicy.standard())
                .verify(MESSAGE.getBytes(StandardCharsets.UTF_8));
        assertThat(v.signed()).isFalse();
        assertThat(v.anyPassed()).isFalse();
    }

    @Test
    void privateKeyFilesThatAreNotPkcs8SayWhatToDo() {
        assertThatThrownBy(() -> DkimSigningKey.fromPem("d", "s", "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n"))
                .hasMessageContaining("openssl pkcs8 -topk8");
        assertThatThrownBy(() -> DkimSigningKey.fromPem("d", "s", "hello")).hasMessageContaining("PKCS#8 PEM");
        assertThatThrownBy(() -> DkimSigningKey.fromPem("d", "s",
                DkimSigningKey.PEM_BEGIN + "\nAAAA\n" + DkimSigningKey.PEM_END)).hasMessageContaining("neither RSA nor Ed25519");
        assertThat(Arrays.asList(DkimAlgorithm.values())).contains(DkimAlgorithm.RSA_SHA1);
        assertThatThrownBy(() -> new DkimSigningKey("d", "s", rsa.getPrivate(), DkimAlgorithm.RSA_SHA1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
