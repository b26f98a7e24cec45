package dev.mailflow.auth.arc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.auth.DnsKeyLookup;
import dev.mailflow.auth.dkim.DkimKeyGenerator;
import dev.mailflow.auth.dkim.DkimSigner;
import dev.mailflow.auth.dkim.DkimSigningKey;
import dev.mailflow.dns.Zone;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ARC sealed by Mailflow and validated by Mailflow (RFC 8617 5.1 and 5.2), keys in a zone:
 * one, two and three hops with RSA and Ed25519; a changed header, body byte or seal breaks the
 * chain; structure errors (gaps, duplicates, wrong cv=, more than 50) fail with their reason.
 */
class ArcSealVerifyTest {

    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T12:00:00Z"), ZoneOffset.UTC);
    static final String MESSAGE = "From: Kate <kate@example.test>\r\n"
            + "To: list@lists.test\r\n"
            + "Subject: ARC test\r\n"
            + "Date: Tue, 1 Dec 2026 12:00:00 +0000\r\n"
            + "Message-ID: <arc@example.test>\r\n"
            + "\r\n"
            + "Hello through a list.\r\n";

    static DkimSigningKey rsa;
    static DkimSigningKey ed;
    static DkimSigningKey author;
    static ArcVerifier verifier;

    @BeforeAll
    static void keys() throws Exception {
        KeyPair r = DkimKeyGenerator.rsa(2048);
        KeyPair e = DkimKeyGenerator.ed25519();
        KeyPair a = DkimKeyGenerator.ed25519();
        rsa = DkimSigningKey.fromPem("lists.test", "arc1", DkimKeyGenerator.privateKeyPem(r));
        ed = DkimSigningKey.fromPem("forwarder.test", "arc2", DkimKeyGenerator.privateKeyPem(e));
        author = DkimSigningKey.fromPem("example.test", "s1", DkimKeyGenerator.privateKeyPem(a));
        Zone zone = Zone.builder()
                .txt("arc1._domainkey.lists.test", DkimKeyGenerator.txtStrings(DkimKeyGenerator.keyRecord(r.getPublic()))
                        .toArray(String[]::new))
                .txt("arc2._domainkey.forwarder.test", DkimKeyGenerator.keyRecord(e.getPublic()))
                .txt("s1._domainkey.example.test", DkimKeyGenerator.keyRecord(a.getPublic()))
                .build();
        verifier = new ArcVerifier(new DnsKeyLookup(zone), CLOCK);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** Seals as a hop does: validate the chain as received, then add the next set. */
    static byte[] hop(byte[] message, DkimSigningKey key, String authservId) {
        ArcOutcome chain = verifier.verify(message);
        String results = "spf=pass smtp.mailfrom=example.test;\r\n\tarc=" + chain.result().word();
        String set = new ArcSealer(key, CLOCK).seal(message, authservId, results, chain);
        return bytes(set + text(message));
    }

    static byte[] change(byte[] m, String from, String to) {
        String s = text(m);
        int i = s.lastIndexOf(from);
        assertThat(i).as(from).isNotNegative();
        return bytes(s.substring(0, i) + to + s.substring(i + from.length()));
    }

    @Test
    void aMessageWithoutArcIsNone() {
        ArcOutcome o = verifier.verify(bytes(MESSAGE));
        assertThat(o.result()).isEqualTo(ArcResult.NONE);
        assertThat(o.instances()).isZero();
    }

    @Test
    void oneHopSealedByUsVerifies() {
        byte[] sealed = hop(bytes(MESSAGE), rsa, "mx.lists.test");
        String s = text(sealed);
        assertThat(s).startsWith("ARC-Seal: i=1; a=rsa-sha256; cv=none; d=lists.test; s=arc1; t=");
        assertThat(s).contains("ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed; d=lists.test;")
                .contains("ARC-Authentication-Results: i=1; mx.lists.test;\r\n\tspf=pass smtp.mailfrom=example.test;"
                        + "\r\n\tarc=none\r\n");
        ArcOutcome o = verifier.verify(sealed);
        assertThat(o.result()).as(o.reason() + o.trace()).isEqualTo(ArcResult.PASS);
        assertThat(o.instances()).isEqualTo(1);
        assertThat(o.oldestPass()).isEqualTo(1);
        assertThat(o.sealers()).containsExactly("lists.test");
    }

    @Test
    void threeHopsWithBothAlgorithmsAndADkimSignatureVerify() {
        byte[] m = new DkimSigner(author, CLOCK).sign(bytes(MESSAGE));
        m = hop(m, rsa, "mx.lists.test");
        m = hop(m, ed, "mx.forwarder.test");
        m = bytes("Received: from somewhere by someone\r\n" + text(m)); // a later trace field is harmless
        m = hop(m, rsa, "mx.lists.test");
        assertThat(text(m)).contains("ARC-Seal: i=3; a=rsa-sha256; cv=pass;")
                .contains("ARC-Seal: i=2; a=ed25519-sha256; cv=pass;");
        ArcOutcome o = verifier.verify(m);
        assertThat(o.result()).as(o.reason() + o.trace()).isEqualTo(ArcResult.PASS);
        assertThat(o.instances()).isEqualTo(3);
        assertThat(o.oldestPass()).isEqualTo(1);
        assertThat(o.sealers()).containsExactly("lists.test", "forwarder.test", "lists.test");
    }

    @Test
    void aBodyChangeAfterTheLastSealFails() {
        byte[] m = hop(hop(bytes(MESSAGE), rsa, "a.test"), ed, "b.test");
        ArcOutcome o = verifier.verify(change(m, "Hello through", "Hello thru"));
        assertThat(o.result()).isEqualTo(ArcResult.FAIL);
        assertThat(o.reason()).contains("newest ARC-Message-Signature (i=2)").contains("body hash");
    }

    @Test
    void aHeaderChangeAfterTheLastSealFails() {
        byte[] m = hop(bytes(MESSAGE), ed, "b.test");
        ArcOutcome o = verifier.verify(change(m, "Subject: ARC test", "Subject: ARC test!"));
        assertThat(o.result()).isEqualTo(ArcResult.FAIL);
        assertThat(o.reason()).contains("i=1").contains("signature mismatch");
    }

    @Test
    void aChangedSealOrResultsFieldFailsTheSeal() {
        byte[] m = hop(hop(bytes(MESSAGE), rsa, "a.test"), ed, "b.test");
        ArcOutcome o = verifier.verify(change(m, "i=1; a.test;", "i=1; evil.test;"));
        assertThat(o.result()).isEqualTo(ArcResult.FAIL);
        assertThat(o.reason()).startsWith("the ARC-Seal i=2 does not verify");
        // A changed t= in the oldest seal: both seals cover it.
        String s = text(m);
        int i = s.indexOf("ARC-Seal: i=1;");
        int t = s.indexOf("t=", i);
        byte[] tampered = bytes(s.substring(0, t + 2) + "2" + s.substring(t + 3)); // t=1... becomes t=2...
        ArcOutcome o2 = verifier.verify(tampered);
        assertThat(o2.result()).isEqualTo(ArcResult.FAIL);
        assertThat(o2.reason()).contains("ARC-Seal");
    }

    @Test
    void aChangeBetweenHopsGivesAnOldestPassAboveOne() {
        byte[] m = hop(bytes(MESSAGE), rsa, "a.test");
        m = change(m, "Hello through a list.", "Hello through a list. [list footer]"); // the list adds a footer
        m = hop(m, ed, "b.test"); // b validates: AMS i=1 broken, so the chain it sees failed
        ArcOutcome o = verifier.verify(m);
        assertThat(o.result()).isEqualTo(ArcResult.FAIL);
        assertThat(o.reason()).contains("cv=fail");
        // Without b checking first (a sealer that trusts its own view), the chain verifies only from i=2.
        byte[] m2 = change(hop(bytes(MESSAGE), rsa, "a.test"), "Hello through a list.", "Changed body.");
        String set = new ArcSealer(ed, CLOCK).seal(m2, "b.test", "arc=pass",
                new ArcOutcome(ArcResult.PASS, 1, 1, "", java.util.List.of("a.test"), java.util.List.of()));
        ArcOutcome o2 = verifier.verify(bytes(set + text(m2)));
        assertThat(o2.result()).as(o2.reason()).isEqualTo(ArcResult.PASS);
        assertThat(o2.oldestPass()).isEqualTo(2);
    }

    @Test
    void aFailedChainIsSealedWithCvFailAndNothingAfterPasses() {
        byte[] m = change(hop(bytes(MESSAGE), rsa, "a.test"), "Hello", "Bye");
        m = hop(m, ed, "b.test");
        assertThat(text(m)).contains("ARC-Seal: i=2; a=ed25519-sha256; cv=fail;");
        m = hop(m, rsa, "c.test");
        assertThat(text(m)).contains("ARC-Seal: i=3; a=rsa-sha256; cv=fail;");
        assertThat(verifier.verify(m).result()).isEqualTo(ArcResult.FAIL);
    }

    @Test
    void structureErrorsFailWithTheirReason() {
        byte[] one = hop(bytes(MESSAGE), rsa, "a.test");
        String s = text(one);
        String as = s.substring(0, s.indexOf("ARC-Message-Signature:"));
        String ams = s.substring(s.indexOf("ARC-Message-Signature:"), s.indexOf("ARC-Authentication-Results:"));
        String aar = s.substring(s.indexOf("ARC-Authentication-Results:"), s.indexOf("From:"));
        String body = s.substring(s.indexOf("From:"));

        assertThat(verifier.verify(bytes(as + aar + body)).reason()).contains("lacks its ARC-Message-Signature");
        assertThat(verifier.verify(bytes(as + as + ams + aar + body)).reason()).contains("two ARC-Seal fields have i=1");
        assertThat(verifier.verify(bytes(as.replace("i=1", "i=2") + ams.replace("i=1", "i=2")
                + aar.replace("i=1", "i=2") + body)).reason()).contains("i=1 is missing");
        assertThat(verifier.verify(bytes(as.replace("cv=none", "cv=pass") + ams + aar + body)).reason())
                .contains("cv=pass where cv=none belongs");
        assertThat(verifier.verify(bytes(as.replace("i=1", "i=51") + ams + aar + body)).reason())
                .contains("at most 50");
        assertThat(verifier.verify(bytes(as.replace("i=1;", "i=x;") + ams + aar + body)).reason())
                .contains("no valid i=");
        for (String broken : new String[] {as + aar + body, as + as + ams + aar + body}) {
            assertThat(verifier.verify(bytes(broken)).result()).isEqualTo(ArcResult.FAIL);
        }
    }

    @Test
    void aMissingKeyFailsAndSaysWhy() {
        var noKeys = new ArcVerifier(new DnsKeyLookup(Zone.builder().build()), CLOCK);
        ArcOutcome o = noKeys.verify(hop(bytes(MESSAGE), ed, "b.test"));
        assertThat(o.result()).isEqualTo(ArcResult.FAIL);
        assertThat(o.reason()).contains("key not found").contains("arc2._domainkey.forwarder.test");
    }

    @Test
    void fiftySetsAreTheLimitForSealing() {
        var fake = new ArcOutcome(ArcResult.PASS, 50, 1, "", java.util.List.of(), java.util.List.of());
        assertThat(new ArcSealer(rsa, CLOCK).seal(bytes(MESSAGE), "a.test", "arc=pass", fake)).isEmpty();
    }
}
