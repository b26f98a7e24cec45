package dev.mailflow.server;

import dev.mailflow.testing.Transcript;
import dev.mailflow.testing.TranscriptRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs every file in src/test/resources/transcripts against a real in-process server. */
class TranscriptTest {

    private static final Path DIR = Path.of("src/test/resources/transcripts");

    @TestFactory
    Stream<DynamicTest> transcripts() throws IOException {
        var files = Files.list(DIR).filter(p -> p.toString().endsWith(".txt")).sorted().toList();
        assertThat(files).as("transcript files in " + DIR).isNotEmpty();
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), f.toUri(),
                () -> TranscriptRunner.run(Transcript.parse(f))));
    }
}
