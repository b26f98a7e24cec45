package dev.mailflow.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.mailflow.smtp.SmtpProperties;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The bulk write of DATA's dot-stuffing gives the same octets as writing them one by one. */
public class DotStuffingOutputStreamProperties {

    @Test
    void writingInChunksIsTheSameAsOctetByOctet() {
        qt().withExamples(5_000).forAll(SmtpProperties.bytes(300), integers().between(1, 64)).checkAssert((content, chunk) -> {
            var one = new ByteArrayOutputStream();
            var bulk = new ByteArrayOutputStream();
            try {
                var s1 = new DotStuffingOutputStream(one);
                for (byte b : content) {
                    s1.write(b);
                }
                s1.finish();
                var s2 = new DotStuffingOutputStream(bulk);
                for (int i = 0; i < content.length; i += chunk) {
                    s2.write(content, i, Math.min(chunk, content.length - i));
                }
                s2.finish();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            assertThat(bulk.toByteArray()).isEqualTo(one.toByteArray());
        });
    }

    @Test
    void linesAreStuffedAndEndInCrLf() throws IOException {
        var out = new ByteArrayOutputStream();
        var s = new DotStuffingOutputStream(out);
        byte[] text = ".a\r\nb.c\n..d\re".getBytes(StandardCharsets.US_ASCII);
        s.write(text, 0, text.length);
        s.finish();
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("..a\r\nb.c\r\n...d\r\ne\r\n.\r\n");
    }
}
