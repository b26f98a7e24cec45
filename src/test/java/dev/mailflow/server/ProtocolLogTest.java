package dev.mailflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.testing.ExternalTool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The protocol log: client bytes escaped, and no cut or lost-for-good lines after a full disk. */
class ProtocolLogTest {

    @TempDir
    Path dir;

    private static final Pattern RECORD = Pattern.compile(
            "\\d{4}-\\d\\d-\\d\\dT[^,]+Z,Default Frontend,[^,]*,[^,]*,[^,]*,[-+<>*],.*");

    @Test
    void clientControlCharactersCannotForgeLinesOrReachATerminal() throws Exception {
        try (var log = new ProtocolLog(dir, "Default Frontend", Clock.systemUTC())) {
            log.event("S1", "127.0.0.1:25", "127.0.0.1:40000", '<',
                    "MAIL FROM:<a@b>\r\n2026-01-01T00:00:00Z,Default Frontend,S9,x,y,*,authenticated as ceo"
                            + "\u001b[2J\u001b]0;pwned\u0007 nul:\u0000 c1:\u009b bidi:\u202e back\\slash");
            String text = Files.readString(log.currentFile(), StandardCharsets.UTF_8);
            assertThat(text.lines()).hasSize(1);
            assertThat(text).contains("MAIL FROM:<a@b>\\x0D\\x0A2026-01-01T00:00:00Z")
                    .contains("\\x1B[2J\\x1B]0;pwned\\x07").contains("nul:\\x00").contains("c1:\\x9B")
                    .contains("bidi:\\u202E").contains("back\\\\slash");
            assertThat(text.substring(0, text.length() - 1).chars())
                    .noneMatch(c -> c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f));
        }
        assertThat(ProtocolLog.escape("EHLO contoso.com")).isEqualTo("EHLO contoso.com");
        assertThat(ProtocolLog.escape("用户@example.test")).isEqualTo("用户@example.test");
    }

    @Test
    void afterADiskFullTheLogHasNoCutLineAndResumesWhenSpaceReturns() throws Exception {
        ExternalTool.requireRoot("it mounts a small tmpfs for the log");
        Path mount = dir.resolve("tmpfs");
        Files.createDirectories(mount);
        run("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mount.toString());
        try {
            Path logs = mount.resolve("logs");
            try (var log = new ProtocolLog(logs, "Default Frontend", Clock.systemUTC(), Duration.ofMillis(100))) {
                log.event("S1", "127.0.0.1:25", "127.0.0.1:40000", '+', "");
                fill(mount.resolve("filler"));
                // Records until the disk is full; the one that no longer fits is cut back.
                String data = "RCPT TO:<" + "x".repeat(150) + "@fabrikam.com>";
                for (int i = 0; i < 100; i++) {
                    log.event("S1", "127.0.0.1:25", "127.0.0.1:40000", '<', data + " " + i);
                }
                assertWholeRecords(log.currentFile());
                long whileFull = Files.size(log.currentFile());

                Files.delete(mount.resolve("filler"));
                Thread.sleep(150);
                log.event("S1", "127.0.0.1:25", "127.0.0.1:40000", '>', "250 2.1.5 Recipient OK after the disk full");
                String text = assertWholeRecords(log.currentFile());
                assertThat(Files.size(log.currentFile())).isGreaterThan(whileFull);
                assertThat(text).containsPattern("protocol log resumed: \\d+ events could not be written \\(.*space.*\\)")
                        .contains("250 2.1.5 Recipient OK after the disk full");
            }
        } finally {
            run("umount", "-l", mount.toString());
        }
    }

    private static String assertWholeRecords(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        assertThat(text).endsWith("\n");
        assertThat(text.lines()).allSatisfy(l -> assertThat(l).matches(RECORD));
        return text;
    }

    private static void fill(Path file) throws IOException {
        try (var out = Files.newOutputStream(file)) {
            byte[] block = new byte[4096];
            while (true) {
                out.write(block);
            }
        } catch (IOException e) {
            if (e.getMessage() == null || !e.getMessage().contains("space")) {
                throw e;
            }
        }
    }

    private static void run(String... command) throws Exception {
        var p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed: " + out);
        }
    }
}
