package dev.mailflow.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The byte scanners on the DATA path (the header capture, the Message-ID reader, the forged
 * Authentication-Results filter) against their plain definitions: the same answer however the
 * content arrives in pieces, and the Message-ID as the text of the header section split into
 * lines says it is.
 */
public class HeaderSectionProperties {

    private static final List<String> LINES = List.of("Message-ID: <a@b.test>", "message-id:<c@d>",
            " Message-Id: <folded@x>", "Message-ID :  <spaced@x>  ", "Message-ID:", "Message-IDs: <no@x>",
            "\tMessage-ID: <tab@x>", " <continued@x>", "\t(comment)", "Subject: héllo", "X: a:b",
            "Authentication-Results: mx.example.test; spf=pass", "authentication-results : MX.example.test; dkim=fail",
            "Authentication-Results: other.test; spf=pass", "Received: from a", "", "\r", ":", "no colon");

    /** Header sections of up to 10 lines from {@link #LINES}, each ended by CRLF or LF, and maybe a body. */
    static Gen<String> messages() {
        Gen<String> line = integers().between(0, LINES.size() - 1).zip(integers().between(0, 2),
                (i, end) -> LINES.get(i) + (end == 0 ? "\n" : "\r\n"));
        return lists().of(line).ofSizeBetween(0, 10).zip(integers().between(0, 2),
                (l, body) -> String.join("", l) + (body == 0 ? "" : body == 1 ? "\r\nbody\r\n" : "\nMessage-ID: <body@x>\n"));
    }

    /** The Message-ID as the header section's text says it: split into lines, the first field of that name. */
    static String definition(byte[] header) {
        String[] lines = new String(header, StandardCharsets.UTF_8).split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            if (l.isEmpty()) {
                break;
            }
            if (l.charAt(0) == ' ' || l.charAt(0) == '\t') {
                continue;
            }
            int colon = l.indexOf(':');
            if (colon > 0 && l.substring(0, colon).strip().toLowerCase(Locale.ROOT).equals("message-id")) {
                var value = new StringBuilder(l.substring(colon + 1));
                while (i + 1 < lines.length && !lines[i + 1].isEmpty()
                        && (lines[i + 1].charAt(0) == ' ' || lines[i + 1].charAt(0) == '\t')) {
                    value.append(lines[++i]);
                }
                String id = value.toString().strip();
                return id.isEmpty() || id.length() > 998 ? null : id;
            }
        }
        return null;
    }

    private static void writeInPieces(OutputStream out, byte[] b, int piece) throws IOException {
        for (int i = 0; i < b.length; i += piece) {
            if (piece == 1) {
                out.write(b[i]);
            } else {
                out.write(b, i, Math.min(piece, b.length - i));
            }
        }
    }

    @Test
    void theCaptureAndItsMessageIdDoNotDependOnThePieces() {
        qt().withExamples(3_000).forAll(messages(), integers().between(1, 40)).checkAssert((message, piece) -> {
            byte[] b = message.getBytes(StandardCharsets.UTF_8);
            try {
                var whole = new HeaderCapture(OutputStream.nullOutputStream());
                whole.write(b, 0, b.length);
                var copy = new ByteArrayOutputStream();
                var pieces = new HeaderCapture(copy);
                writeInPieces(pieces, b, piece);
                assertThat(copy.toByteArray()).as("passed through").isEqualTo(b);
                assertThat(pieces.messageId()).as(message).isEqualTo(whole.messageId());
                assertThat(pieces.hasHeader("Subject")).isEqualTo(whole.hasHeader("Subject"));
                assertThat(pieces.receivedCount()).isEqualTo(whole.receivedCount());
                assertThat(whole.messageId()).as(message).isEqualTo(definition(headerSection(b)));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void theFilterDoesNotDependOnThePieces() {
        qt().withExamples(3_000).forAll(messages(), integers().between(1, 40)).checkAssert((message, piece) -> {
            byte[] b = message.getBytes(StandardCharsets.UTF_8);
            try {
                var whole = new ByteArrayOutputStream();
                var f = new ForgedResultsFilter(whole, "mx.example.test");
                f.write(b, 0, b.length);
                f.finish();
                var inPieces = new ByteArrayOutputStream();
                var g = new ForgedResultsFilter(inPieces, "mx.example.test");
                writeInPieces(g, b, piece);
                g.finish();
                assertThat(inPieces.toString(StandardCharsets.UTF_8)).as(message).isEqualTo(whole.toString(StandardCharsets.UTF_8));
                assertThat(g.removedOctets()).isEqualTo(b.length - inPieces.size());
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
    }

    /** The header section as the capture defines it: up to and including the empty line. */
    private static byte[] headerSection(byte[] b) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '\n' && i >= 1 && (b[i - 1] == '\n' || (i >= 2 && b[i - 1] == '\r' && b[i - 2] == '\n')
                    || (i == 1 && b[0] == '\r'))) {
                return java.util.Arrays.copyOf(b, i + 1);
            }
        }
        return b;
    }
}
