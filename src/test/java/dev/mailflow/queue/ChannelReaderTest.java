package dev.mailflow.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChannelReaderTest {

    @TempDir
    Path dir;

    @Test
    void readsWhatWasWrittenWithoutMovingTheWriterOrClosingTheChannel() throws Exception {
        Path file = dir.resolve("m.tmp");
        try (var ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.READ)) {
            ch.write(ByteBuffer.wrap("Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII)));
            try (var in = new ChannelReader(ch, ch.position())) {
                assertThat(in.read()).isEqualTo('S');
                assertThat(in.skip(8)).isEqualTo(8);
                assertThat(in.available()).isEqualTo(11);
                assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("x\r\n\r\nbody\r\n");
                assertThat(in.read()).isEqualTo(-1);
                assertThat(in.read(new byte[4], 0, 4)).isEqualTo(-1);
                assertThat(in.skip(5)).isZero();
            }
            assertThat(ch.isOpen()).isTrue();
            ch.write(ByteBuffer.wrap("more\r\n".getBytes(StandardCharsets.US_ASCII)));
            // Only the octets written when the reader was made, though more came after.
            try (var in = new ChannelReader(ch, 6)) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("Subjec");
            }
        }
        assertThat(Files.readString(file)).isEqualTo("Subject: x\r\n\r\nbody\r\nmore\r\n");
    }
}
