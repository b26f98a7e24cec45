package dev.mailflow.auth.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The streamed body canonicalization (RFC 6376 3.4.3, 3.4.4) gives the RFC's results, and the
 * same octets however the body is cut into pieces: at a CR before its LF, inside a run of
 * spaces, in the trailing empty lines.
 */
class BodyCanonicalizerTest {

    private static String canonical(Canonicalization c, String body, int... cuts) {
        byte[] b = body.getBytes(StandardCharsets.ISO_8859_1);
        var out = new ByteArrayOutputStream();
        var bc = new BodyCanonicalizer(c, out::write);
        int pos = 0;
        for (int cut : cuts) {
            bc.write(b, pos, cut - pos);
            pos = cut;
        }
        bc.write(b, pos, b.length - pos);
        bc.finish();
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void theRfc6376Section345Example() {
        String body = " C \r\nD \t E\r\n\r\n\r\n";
        assertThat(canonical(Canonicalization.RELAXED, body)).isEqualTo(" C\r\nD E\r\n");
        assertThat(canonical(Canonicalization.SIMPLE, body)).isEqualTo(" C \r\nD \t E\r\n");
    }

    @Test
    void anEmptyBodyIsCrlfForSimpleAndNothingForRelaxed() throws Exception {
        // RFC 6376 3.4.3 and 3.4.4; the well-known SHA-256 body hashes of an empty body.
        assertThat(canonical(Canonicalization.SIMPLE, "")).isEqualTo("\r\n");
        assertThat(canonical(Canonicalization.RELAXED, "")).isEmpty();
        assertThat(canonical(Canonicalization.RELAXED, "\r\n \t\r\n\r\n")).isEmpty();
        var sha = MessageDigest.getInstance("SHA-256");
        assertThat(Base64.getEncoder().encodeToString(sha.digest("\r\n".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=");
    }

    @Test
    void loneCrAndLfStayInTheirLineAndALastLineGetsItsCrlf() {
        assertThat(canonical(Canonicalization.RELAXED, "a\rb\nc  ")).isEqualTo("a\rb\nc\r\n");
        assertThat(canonical(Canonicalization.SIMPLE, "a\rb\nc  ")).isEqualTo("a\rb\nc  \r\n");
        assertThat(canonical(Canonicalization.RELAXED, "end\r")).isEqualTo("end\r\r\n");
        assertThat(canonical(Canonicalization.RELAXED, "x\r\n\r\n  \r\ny\r\n")).isEqualTo("x\r\n\r\n\r\ny\r\n");
    }

    @Test
    void piecesCutAnywhereGiveTheSameOctets() {
        String body = "Hello  \t world \r\n\r\n \r\nline\r\rtwo\r\n\r\n\r\n";
        for (var c : Canonicalization.values()) {
            String whole = canonical(c, body);
            for (int cut = 0; cut <= body.length(); cut++) {
                assertThat(canonical(c, body, cut)).as("%s cut at %d", c, cut).isEqualTo(whole);
            }
        }
    }

    @Test
    void randomBodiesInRandomPiecesMatchTheWholeBody() {
        var random = new Random(6376);
        String alphabet = "ab \t\r\n\r\n.";
        for (int round = 0; round < 500; round++) {
            var sb = new StringBuilder();
            int n = random.nextInt(60);
            for (int i = 0; i < n; i++) {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String body = sb.toString();
            int a = body.isEmpty() ? 0 : random.nextInt(body.length() + 1);
            int b = a + (body.length() == a ? 0 : random.nextInt(body.length() - a + 1));
            for (var c : Canonicalization.values()) {
                assertThat(canonical(c, body, a, b)).as("%s %s", c, body.replace("\r", "\\r").replace("\n", "\\n"))
                        .isEqualTo(reference(c, body));
            }
        }
    }

    @Test
    void aLongBodyThroughTheSmallestBufferGivesTheSameOctetsAsOneByteAtATime() {
        // Runs of ordinary octets go out in one copy, across buffer flushes; one octet at a time
        // never makes a run, so it is the plain path to compare with.
        var random = new Random(8463);
        String alphabet = "abcdefgh \t\r\n\r\n";
        var sb = new StringBuilder();
        for (int i = 0; i < 50_000; i++) {
            sb.append(random.nextInt(10) < 7 ? 'x' : alphabet.charAt(random.nextInt(alphabet.length())));
        }
        byte[] body = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        for (var c : Canonicalization.values()) {
            var whole = new ByteArrayOutputStream();
            var small = new BodyCanonicalizer(c, whole::write, 0);
            small.write(body, 0, body.length);
            small.finish();
            var bytewise = new ByteArrayOutputStream();
            var plain = new BodyCanonicalizer(c, bytewise::write);
            for (int i = 0; i < body.length; i++) {
                plain.write(body, i, 1);
            }
            plain.finish();
            assertThat(whole.toByteArray()).as("%s", c).isEqualTo(bytewise.toByteArray());
            assertThat(whole.toString(StandardCharsets.ISO_8859_1)).isEqualTo(reference(c, sb.toString()));
        }
    }

    /** RFC 6376 3.4.3 / 3.4.4 written the plain way: split at CRLF, fix each line, trim the end. */
    private static String reference(Canonicalization c, String body) {
        var lines = new java.util.ArrayList<>(java.util.Arrays.asList(body.split("\r\n", -1)));
        boolean endsWithCrlf = body.endsWith("\r\n");
        if (endsWithCrlf || body.isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        var out = new java.util.ArrayList<String>();
        for (String l : lines) {
            out.add(c == Canonicalization.RELAXED ? l.replaceAll("[ \t]+", " ").replaceAll(" \\z", "") : l);
        }
        while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
            out.remove(out.size() - 1);
        }
        if (out.isEmpty()) {
            return c == Canonicalization.SIMPLE ? "\r\n" : "";
        }
        return String.join("\r\n", out) + "\r\n";
    }
}
