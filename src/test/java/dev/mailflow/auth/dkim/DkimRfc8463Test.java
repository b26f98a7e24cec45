package dev.mailflow.auth.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** RFC 8463 Appendix A: the example message with its Ed25519 and RSA signatures verifies. */
class DkimRfc8463Test {

    /** RFC 8463 A.2: the two public keys of football.example.com. */
    static final String ED25519_RECORD = "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
    static final String RSA_RECORD = "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY"
            + "6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5Qj"
            + "vHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB";

    static final Clock LATER = Clock.fixed(Instant.ofEpochSecond(1528637909L + 86_400), ZoneOffset.UTC);

    static byte[] message() {
        return DkimVerifier.withCrlfLineEnds(DkimTestKeys.resource("rfc8463-appendix-a.eml"));
    }

    static DkimTestKeys keys() {
        return new DkimTestKeys().put("brisbane", "football.example.com", ED25519_RECORD)
                .put("test", "football.example.com", RSA_RECORD);
    }

    @Test
    void bothSignaturesOfTheExampleVerify() {
        DkimVerification v = new DkimVerifier(keys(), LATER, DkimPolicy.standard()).verify(message());
        assertThat(v.signatures()).hasSize(2);
        DkimResult ed = v.signatures().get(0);
        assertThat(ed.status()).as(ed.toString()).isEqualTo(DkimStatus.PASS);
        assertThat(ed.algorithm()).isEqualTo("ed25519-sha256");
        assertThat(ed.domain()).isEqualTo("football.example.com");
        assertThat(ed.selector()).isEqualTo("brisbane");
        assertThat(ed.signatureStart()).startsWith("/gCrinpc");
        DkimResult rsa = v.signatures().get(1);
        assertThat(rsa.status()).as(rsa.toString()).isEqualTo(DkimStatus.PASS);
        assertThat(rsa.algorithm()).isEqualTo("rsa-sha256");
        assertThat(v.passedFor("Football.Example.com")).isTrue();
        assertThat(v.notChecked()).isZero();
    }

    @Test
    void aChangedBodyByteFailsBothWithBodyHashMismatch() {
        String m = new String(message(), StandardCharsets.ISO_8859_1).replace("hungry", "Hungry");
        DkimVerification v = new DkimVerifier(keys(), LATER, DkimPolicy.standard())
                .verify(m.getBytes(StandardCharsets.ISO_8859_1));
        assertThat(v.signatures()).allSatisfy(r -> {
            assertThat(r.reason()).isEqualTo(DkimReason.BODY_HASH_MISMATCH);
            assertThat(r.status()).isEqualTo(DkimStatus.FAIL);
            assertThat(r.explanation()).contains("header fields are unchanged");
        });
    }

    @Test
    void aChangedSignedHeaderFailsBothWithSignatureMismatch() {
        String m = new String(message(), StandardCharsets.ISO_8859_1).replace("dinner ready", "dinner Ready");
        DkimVerification v = new DkimVerifier(keys(), LATER, DkimPolicy.standard())
                .verify(m.getBytes(StandardCharsets.ISO_8859_1));
        assertThat(v.signatures()).allSatisfy(r -> assertThat(r.reason()).isEqualTo(DkimReason.SIGNATURE_MISMATCH));
    }

    @Test
    void relaxedCanonicalizationIgnoresWhitespaceChangesInHeadersAndBody() {
        String m = new String(message(), StandardCharsets.ISO_8859_1)
                .replace("Subject: Is dinner ready?", "subject:   Is dinner\r\n\tready?  ")
                .replace("Joe.\r\n", "Joe. \t\r\n\r\n\r\n");
        DkimVerification v = new DkimVerifier(keys(), LATER, DkimPolicy.standard())
                .verify(m.getBytes(StandardCharsets.ISO_8859_1));
        assertThat(v.signatures()).allSatisfy(r -> assertThat(r.status()).as(r.toString()).isEqualTo(DkimStatus.PASS));
    }

    @Test
    void aSecondFromAddedAboveIsCaughtByOversigning() {
        // h= lists from twice: a From added later takes the first slot (bottom-up), so it breaks.
        String m = new String(message(), StandardCharsets.ISO_8859_1)
                .replace("Message-ID:", "From: Mallory <m@evil.example>\r\nMessage-ID:");
        DkimVerification v = new DkimVerifier(keys(), LATER, DkimPolicy.standard())
                .verify(m.getBytes(StandardCharsets.ISO_8859_1));
        assertThat(v.signatures()).allSatisfy(r -> assertThat(r.reason()).isEqualTo(DkimReason.SIGNATURE_MISMATCH));
    }
}
