package dev.mailflow.auth.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** RFC 6376 3.4 canonicalization, 3.2 tag lists and 5.4.2 header selection, on their edge cases. */
class DkimCanonicalizationTest {

    static String body(Canonicalization c, String message) {
        RawMessage m = RawMessage.parse(message.getBytes(StandardCharsets.ISO_8859_1));
        var out = new ByteArrayOutputStream();
        c.body(m.bytes(), m.bodyStart(), m.bytes().length, out::write);
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    static String headers(Canonicalization c, String message) {
        return RawMessage.parse(message.getBytes(StandardCharsets.ISO_8859_1)).headers().stream().map(c::header)
                .collect(Collectors.joining());
    }

    /** RFC 6376 section 3.4.5, the example. */
    static final String EXAMPLE = "A: X\r\nB : Y\t\r\n\tZ  \r\n\r\n C \r\nD \t E\r\n\r\n\r\n";

    @Test
    void theRfcExample() {
        assertThat(headers(Canonicalization.RELAXED, EXAMPLE)).isEqualTo("a:X\r\nb:Y Z\r\n");
        assertThat(body(Canonicalization.RELAXED, EXAMPLE)).isEqualTo(" C\r\nD E\r\n");
        assertThat(headers(Canonicalization.SIMPLE, EXAMPLE)).isEqualTo("A: X\r\nB : Y\t\r\n\tZ  \r\n");
        assertThat(body(Canonicalization.SIMPLE, EXAMPLE)).isEqualTo(" C \r\nD \t E\r\n");
    }

    @Test
    void emptyBodies() {
        // Relaxed: empty; simple: one CRLF (3.4.3, 3.4.4), with or without the empty line.
        for (String m : List.of("A: x\r\n\r\n", "A: x\r\n", "A: x\r\n\r\n\r\n\r\n", "A: x\r\n\r\n \t\r\n\r\n")) {
            assertThat(body(Canonicalization.RELAXED, m)).as(m).isEmpty();
        }
        for (String m : List.of("A: x\r\n\r\n", "A: x\r\n", "A: x\r\n\r\n\r\n\r\n")) {
            assertThat(body(Canonicalization.SIMPLE, m)).as(m).isEqualTo("\r\n");
        }
        assertThat(body(Canonicalization.SIMPLE, "A: x\r\n\r\n \t\r\n\r\n")).isEqualTo(" \t\r\n");
        assertThat(hash(Canonicalization.RELAXED, "A: x\r\n\r\n")).isEqualTo("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
        assertThat(hash(Canonicalization.SIMPLE, "A: x\r\n\r\n")).isEqualTo("frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=");
    }

    static String hash(Canonicalization c, String m) {
        return Base64.getEncoder().encodeToString(SignedData.bodyHash(RawMessage.parse(m.getBytes(StandardCharsets.ISO_8859_1)),
                c, DkimAlgorithm.RSA_SHA256, -1).hash());
    }

    @Test
    void trailingWhitespaceAndMissingFinalCrlf() {
        assertThat(body(Canonicalization.RELAXED, "A: x\r\n\r\nline \t \r\n\tin  side\t\r\nlast")).isEqualTo(
                "line\r\n in side\r\nlast\r\n");
        assertThat(body(Canonicalization.SIMPLE, "A: x\r\n\r\nlast")).isEqualTo("last\r\n");
        assertThat(body(Canonicalization.SIMPLE, "A: x\r\n\r\nlast \r\n\r\n")).isEqualTo("last \r\n");
        // Empty lines inside the body stay; only the trailing ones go.
        assertThat(body(Canonicalization.RELAXED, "A: x\r\n\r\na\r\n\r\n \r\nb\r\n\r\n")).isEqualTo("a\r\n\r\n\r\nb\r\n");
        // A bare LF or CR is not a line end (the queue has none; a verifier must not invent one).
        assertThat(body(Canonicalization.RELAXED, "A: x\r\n\r\na \nb\r\n")).isEqualTo("a \nb\r\n");
    }

    @Test
    void foldedHeadersUnfoldAndColonsInValuesStay() {
        assertThat(headers(Canonicalization.RELAXED, "Subject:  a : b\r\n  \tc\r\nTO :x\r\n\r\n"))
                .isEqualTo("subject:a : b c\r\nto:x\r\n");
        assertThat(headers(Canonicalization.RELAXED, "X-Empty:\r\nX-Spaces:   \r\n\r\n")).isEqualTo("x-empty:\r\nx-spaces:\r\n");
        // A header section without the empty line and without a final CRLF.
        assertThat(headers(Canonicalization.SIMPLE, "A: 1\r\nB: 2")).isEqualTo("A: 1\r\nB: 2\r\n");
    }

    @Test
    void repeatedFieldsAreTakenBottomUpAndMissingOnesAddNothing() {
        RawMessage m = RawMessage.parse("X: 1\r\nY: a\r\nX: 2\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        HeaderField sig = HeaderField.of("DKIM-Signature: b=");
        String data = new String(SignedData.headerData(m, List.of("x", "X", "x", "y", "z"), Canonicalization.RELAXED, sig),
                StandardCharsets.ISO_8859_1);
        assertThat(data).isEqualTo("x:2\r\nx:1\r\ny:a\r\ndkim-signature:b=");
    }

    @Test
    void theSignatureIsBlankedExactlyWhereItsValueStands() throws Exception {
        HeaderField f = HeaderField.of("DKIM-Signature: v=1; bh=AAAA; b= ab\r\n cd ;x=1\r\n");
        DkimSignature.Names n = DkimSignature.names(f);
        assertThat(n.signatureStart()).isEqualTo("abcd");
        TagList t = TagList.parse(f.value());
        assertThat(t.get("b")).contains("ab\r\n cd");
        assertThat(t.get("x")).contains("1");
    }

    @Test
    void tagListsRejectDuplicatesAndMissingEquals() {
        assertThatThrownBy(() -> TagList.parse("a=1; a=2")).isInstanceOf(TagList.Invalid.class)
                .hasMessageContaining("twice");
        assertThatThrownBy(() -> TagList.parse("synerr")).hasMessageContaining("name=value");
        assertThatThrownBy(() -> TagList.parse("1a=x")).hasMessageContaining("tag name");
    }

    @Test
    void tagListsAllowFoldingTrailingSemicolonsAndUnknownTags() throws Exception {
        TagList t = TagList.parse(" v = 1 ;\r\n\th=from : to;  zz=what ever ;");
        assertThat(t.get("v")).contains("1");
        assertThat(t.get("h")).contains("from : to");
        assertThat(t.get("zz")).contains("what ever");
        assertThat(TagList.parse("").has("v")).isFalse();
    }

    @Test
    void untrustedTextInReasonsIsShortAndPrintable() {
        assertThat(TagList.shorten("a\u0000b\u001b[31m")).isEqualTo("a?b?[31m");
        assertThat(TagList.shorten("x".repeat(100))).hasSize(43).endsWith("...");
    }
}
