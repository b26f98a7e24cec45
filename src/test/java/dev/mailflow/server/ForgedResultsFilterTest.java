package dev.mailflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ForgedResultsFilterTest {

    private static String filter(String message, int chunk) throws Exception {
        var out = new ByteArrayOutputStream();
        var f = new ForgedResultsFilter(out, "MX.Example.Test");
        byte[] b = message.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < b.length; i += chunk) {
            f.write(b, i, Math.min(chunk, b.length - i));
        }
        f.finish();
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void dropsOnlyFieldsClaimingOurNameInTheHeaderSection() throws Exception {
        String in = "Received: from a\r\n\tby b; now\r\n"
                + "Authentication-Results: mx.example.test;\r\n\tspf=pass smtp.mailfrom=a@b\r\n"
                + "authentication-results:   (comment) MX.EXAMPLE.TEST 1; dkim=pass\r\n"
                + "Authentication-Results: other.example; spf=pass\r\n"
                + "Authentication-Results: mx.example.test.evil; spf=pass\r\n"
                + "Subject: x\r\n\r\n"
                + "Authentication-Results: mx.example.test; in the body stays\r\n";
        String expected = "Received: from a\r\n\tby b; now\r\n"
                + "Authentication-Results: other.example; spf=pass\r\n"
                + "Authentication-Results: mx.example.test.evil; spf=pass\r\n"
                + "Subject: x\r\n\r\n"
                + "Authentication-Results: mx.example.test; in the body stays\r\n";
        for (int chunk : new int[] {1, 3, 7, 64, 4096}) {
            assertThat(filter(in, chunk)).as("chunks of " + chunk).isEqualTo(expected);
        }
    }

    @Test
    void theShapesReadersAcceptAreRemovedToo() throws Exception {
        String in = "Authentication-Results : mx.example.test; spf=pass\r\n"
                + "Authentication-Results\t: mx.example.test; spf=pass\r\n"
                + "Authentication-Results: \"mx\\.example.test\"; spf=pass\r\n"
                + "Authentication-Results: mx.example.test.; spf=pass\r\n"
                + "Authentication-Results-Extra: mx.example.test; kept\r\n"
                + "Subject: x\r\n\r\nbody\r\n";
        assertThat(filter(in, 3)).isEqualTo("Authentication-Results-Extra: mx.example.test; kept\r\n"
                + "Subject: x\r\n\r\nbody\r\n");
    }

    @Test
    void aMessageWithoutBodyOrEndingInAForgedFieldIsHandled() throws Exception {
        assertThat(filter("Subject: x\r\nAuthentication-Results: mx.example.test; spf=pass\r\n", 5))
                .isEqualTo("Subject: x\r\n");
        assertThat(filter("Subject: x", 2)).isEqualTo("Subject: x");
        assertThat(filter("\r\nbody only\r\n", 2)).isEqualTo("\r\nbody only\r\n");
    }

    @Test
    void aHugeFieldPassesUnread() throws Exception {
        String big = "X-Big: " + "a".repeat(ForgedResultsFilter.MAX_FIELD + 10) + "\r\n";
        String in = big + "Authentication-Results: mx.example.test; spf=pass\r\n\r\nbody\r\n";
        assertThat(filter(in, 1000)).isEqualTo(big + "\r\nbody\r\n");
    }
}
