package dev.mailflow.auth.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Signatures our signer never makes but others do: l= (RFC 6376 3.5, with the caveat of 8.2),
 * x=, i= in a subdomain, t=s keys, simple canonicalization, and signatures with syntax errors.
 */
class DkimBodyLengthAndTagsTest {

    static final Clock NOW = Clock.fixed(Instant.parse("2026-12-01T12:00:00Z"), ZoneOffset.UTC);
    static final String MESSAGE = "From: a@example.test\r\nSubject: s\r\n\r\nHello.\r\n";
    static KeyPair ed;

    @BeforeAll
    static void key() {
        ed = DkimKeyGenerator.ed25519();
    }

    /**
     * Signs with the tags given; {@code BH} in them stands for the body hash (of {@code l}
     * octets when l >= 0).
     */
    static byte[] sign(String tags, byte[] message, long l) throws Exception {
        RawMessage m = RawMessage.parse(message);
        DkimSignature.Names names = DkimSignature.names(HeaderField.of("DKIM-Signature: " + tags.replace("BH", "AA")));
        Canonicalization hc = tags.contains("c=simple") ? Canonicalization.SIMPLE : Canonicalization.RELAXED;
        Canonicalization bc = tags.contains("c=simple/simple") || tags.contains("c=relaxed/simple")
                ? Canonicalization.SIMPLE : Canonicalization.RELAXED;
        String bh = Base64.getEncoder().encodeToString(SignedData.bodyHash(m, bc, DkimAlgorithm.ED25519_SHA256, l).hash());
        HeaderField unsigned = HeaderField.of("DKIM-Signature: " + tags.replace("BH", bh) + "; b=");
        List<String> h = Arrays.stream(TagList.parse(unsigned.value()).get("h").orElseThrow().split(":"))
                .map(String::strip).toList();
        byte[] data = SignedData.headerData(m, h, hc, unsigned);
        String b = Base64.getEncoder().encodeToString(DkimAlgorithm.ED25519_SHA256.sign(ed.getPrivate(), data));
        assertThat(names).isNotNull();
        return (unsigned.raw() + b + "\r\n" + new String(message, StandardCharsets.ISO_8859_1))
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    static DkimResult verify(byte[] m, String keyRecord, DkimPolicy policy) {
        var keys = new DkimTestKeys().put("ed", "example.test", keyRecord);
        return new DkimVerifier(keys, NOW, policy).verify(m).signatures().get(0);
    }

    static DkimResult verify(byte[] m) {
        return verify(m, DkimKeyGenerator.keyRecord(ed.getPublic()), DkimPolicy.standard());
    }

    static final String BASE = "v=1; a=ed25519-sha256; c=relaxed/relaxed; d=example.test; s=ed; h=from:subject; bh=BH";

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void aBodyLengthThatCoversTheWholeBodyPasses() throws Exception {
        byte[] m = sign(BASE + "; l=8", bytes(MESSAGE), 8); // "Hello.\r\n"
        assertThat(verify(m).status()).as(verify(m).toString()).isEqualTo(DkimStatus.PASS);
    }

    @Test
    void textAppendedAfterTheBodyLengthIsPolicyNotPassUnlessThePolicyAcceptsIt() throws Exception {
        byte[] signed = sign(BASE + "; l=8", bytes(MESSAGE), 8);
        byte[] appended = bytes(new String(signed, StandardCharsets.ISO_8859_1) + "Click http://evil.test/\r\n");
        DkimResult r = verify(appended);
        assertThat(r.status()).isEqualTo(DkimStatus.POLICY);
        assertThat(r.reason()).isEqualTo(DkimReason.UNSIGNED_BODY_TAIL);
        assertThat(r.explanation()).contains("l=8").contains("33 octets").contains("unsigned");
        DkimResult accepted = verify(appended, DkimKeyGenerator.keyRecord(ed.getPublic()),
                DkimPolicy.standard().withUnsignedBodyTailAccepted(true));
        assertThat(accepted.status()).isEqualTo(DkimStatus.PASS);
    }

    @Test
    void aBodyCutShorterThanTheBodyLengthIsPermerror() throws Exception {
        byte[] signed = sign(BASE + "; l=8", bytes(MESSAGE), 8);
        byte[] cut = bytes(new String(signed, StandardCharsets.ISO_8859_1).replace("Hello.\r\n", "Hi\r\n"));
        DkimResult r = verify(cut);
        assertThat(r.reason()).isEqualTo(DkimReason.BODY_SHORTER_THAN_LENGTH);
        assertThat(r.status()).isEqualTo(DkimStatus.PERMERROR);
    }

    @Test
    void expiredSignatures() throws Exception {
        long now = NOW.instant().getEpochSecond();
        DkimResult r = verify(sign(BASE + "; t=" + (now - 7200) + "; x=" + (now - 3600), bytes(MESSAGE), -1));
        assertThat(r.reason()).isEqualTo(DkimReason.EXPIRED);
        assertThat(r.explanation()).contains("expired at 2026-12-01T11:00:00Z");
        assertThat(verify(sign(BASE + "; t=" + (now - 7200) + "; x=" + (now + 3600), bytes(MESSAGE), -1)).passed()).isTrue();
        assertThat(verify(sign(BASE + "; t=" + now + "; x=" + (now - 1), bytes(MESSAGE), -1)).explanation())
                .isEqualTo("syntax error in tag x: the expiry x= comes before the timestamp t=");
    }

    @Test
    void identitiesAndStrictKeys() throws Exception {
        byte[] sub = sign(BASE + "; i=kate@mail.example.test", bytes(MESSAGE), -1);
        assertThat(verify(sub).passed()).isTrue();
        assertThat(verify(sub).identity()).isEqualTo("kate@mail.example.test");
        String strict = "v=DKIM1; k=ed25519; t=s; p=" + DkimKeyGenerator.keyRecord(ed.getPublic()).split("p=")[1];
        assertThat(verify(sub, strict, DkimPolicy.standard()).reason()).isEqualTo(DkimReason.KEY_STRICT_IDENTITY);
        assertThat(verify(sign(BASE + "; i=kate@example.test", bytes(MESSAGE), -1), strict, DkimPolicy.standard())
                .passed()).isTrue();
        DkimResult outside = verify(sign(BASE + "; i=kate@elsewhere.test", bytes(MESSAGE), -1));
        assertThat(outside.reason()).isEqualTo(DkimReason.IDENTITY_OUTSIDE_DOMAIN);
        String testing = "v=DKIM1; k=ed25519; t=y; p=" + DkimKeyGenerator.keyRecord(ed.getPublic()).split("p=")[1];
        assertThat(verify(sub, testing, DkimPolicy.standard()).testing()).isTrue();
    }

    @Test
    void simpleCanonicalizationIsExact() throws Exception {
        byte[] m = sign(BASE.replace("relaxed/relaxed", "simple/simple"), bytes(MESSAGE), -1);
        assertThat(verify(m).passed()).isTrue();
        byte[] spaced = bytes(new String(m, StandardCharsets.ISO_8859_1).replace("Subject: s", "Subject:  s"));
        assertThat(verify(spaced).reason()).isEqualTo(DkimReason.SIGNATURE_MISMATCH);
        byte[] trailing = bytes(new String(m, StandardCharsets.ISO_8859_1).replace("Hello.\r\n", "Hello. \r\n"));
        assertThat(verify(trailing).reason()).isEqualTo(DkimReason.BODY_HASH_MISMATCH);
        byte[] moreEmptyLines = bytes(new String(m, StandardCharsets.ISO_8859_1) + "\r\n\r\n");
        assertThat(verify(moreEmptyLines).passed()).isTrue();
    }

    @Test
    void syntaxErrorsNameTheTag() throws Exception {
        String[][] cases = {
            {BASE.replace("v=1", "v=2"), "unsupported version v=2"},
            {BASE.replace("; h=from:subject", ""), "lacks the required tag h="},
            {BASE.replace("h=from:subject", "h=subject"), "From header field is not in h="},
            {BASE.replace("a=ed25519-sha256", "a=rsa-sha512"), "unsupported algorithm a=rsa-sha512"},
            {BASE + "; l=12x", "syntax error in tag l: \"12x\" is not a number"},
            {BASE + "; t=soon", "syntax error in tag t"},
            {BASE.replace("d=example.test", "d=exa mple.test"), "syntax error in tag d"},
            {BASE + "; q=http/well-known", "unsupported key query method q=http/well-known"},
            {BASE + "; d=again", "syntax error in tag d: tag d= occurs twice"},
        };
        for (String[] c : cases) {
            HeaderField f = HeaderField.of("DKIM-Signature: " + c[0].replace("BH", "AAAA") + "; b=AAAA\r\n");
            byte[] m = bytes(f.raw() + MESSAGE);
            DkimResult r = new DkimVerifier(new DkimTestKeys(), NOW, DkimPolicy.standard()).verify(m).signatures().get(0);
            assertThat(r.explanation()).as(c[0]).contains(c[1]);
            assertThat(r.status()).as(c[0]).isIn(DkimStatus.NEUTRAL, DkimStatus.PERMERROR);
        }
    }

    @Test
    void rsaSha1IsRefusedAsHistoric() {
        HeaderField f = HeaderField.of("DKIM-Signature: v=1; a=rsa-sha1; d=example.test; s=ed; h=from; bh=AAAA; b=AAAA\r\n");
        var keys = new DkimTestKeys();
        DkimResult r = new DkimVerifier(keys, NOW, DkimPolicy.standard()).verify(bytes(f.raw() + MESSAGE)).signatures()
                .get(0);
        assertThat(r.status()).isEqualTo(DkimStatus.POLICY);
        assertThat(r.reason()).isEqualTo(DkimReason.HISTORIC_ALGORITHM);
        assertThat(r.explanation()).contains("RFC 8301");
        assertThat(keys.asked).as("no DNS query for a signature refused anyway").isEmpty();
    }
}
