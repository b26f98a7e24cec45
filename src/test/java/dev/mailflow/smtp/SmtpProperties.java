package dev.mailflow.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Property tests of the protocol core: whatever arrives, the parser and the DATA framing
 * answer with a well-formed reply and never throw; dot-stuffing round-trips.
 */
public class SmtpProperties {

    /** RFC 5321 4.2 reply lines, with an RFC 3463 code where we give one. */
    static final Pattern REPLY_LINE = Pattern.compile("[2-5]\\d\\d[ -]([245]\\.\\d{1,3}\\.\\d{1,3} )?[^\\r\\n]*");

    /** Any bytes, with the characters that matter to SMTP over-represented. */
    public static Gen<byte[]> bytes(int maxLength) {
        Gen<Integer> oneByte = integers().between(0, 255).mix(
                integers().between(0, 9).map(i -> (int) "\r\n.:<>@ \"\0".charAt(i)), 40);
        return lists().of(oneByte).ofSizeBetween(0, maxLength).map(list -> {
            byte[] b = new byte[list.size()];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) (int) list.get(i);
            }
            return b;
        });
    }

    /** Command lines that look like SMTP: a known verb, then arbitrary text. */
    static Gen<String> commandLines() {
        var verbs = List.of("HELO ", "EHLO ", "MAIL FROM:", "mail from: ", "RCPT TO:", "rcpt to: <", "DATA", "BDAT ",
                "RSET", "NOOP", "QUIT", "HELP", "VRFY ", "STARTTLS", "AUTH ", "", "MAIL FROM:<a@b> ",
                "RCPT TO:<a@b> NOTIFY=");
        Gen<String> verb = integers().between(0, verbs.size() - 1).map(verbs::get);
        Gen<String> rest = strings().allPossible().ofLengthBetween(0, 80)
                .mix(strings().ascii().ofLengthBetween(0, 80), 50);
        return verb.zip(rest, (v, r) -> v + r);
    }

    @Test
    void anyCommandLineParsesToACommandOrAWellFormedReply() {
        qt().withExamples(20_000).forAll(commandLines()).checkAssert(line -> {
            Command c = CommandParser.parse(line);
            assertThat(c).isNotNull();
            if (c instanceof Command.Invalid invalid) {
                assertWellFormed(invalid.reply());
                assertThat(invalid.reply().code()).isBetween(500, 599);
            } else {
                assertThat(c.verb()).isNotNull();
            }
        });
    }

    @Test
    void anyBytesDecodedAsACommandLineNeverBreakTheParser() {
        qt().withExamples(10_000).forAll(bytes(600)).checkAssert(b -> {
            Command c = CommandParser.parse(new String(b, StandardCharsets.UTF_8));
            assertThat(c).isNotNull();
            if (c instanceof Command.Invalid invalid) {
                assertWellFormed(invalid.reply());
            }
        });
    }

    @Test
    void anyBytesIntoDataFramingEndAtTheFirstCrLfDotCrLfAndNowhereElse() {
        qt().withExamples(5_000).forAll(bytes(400), integers().between(1, 50)).checkAssert((input, split) -> {
            var sink = new ByteArrayOutputStream();
            var framing = new DataFraming(sink, 1_000);
            int consumed = feedInPieces(framing, input, split);
            int expectedEnd = endOfData(input);
            assertThat(consumed).as("end of data offset").isEqualTo(expectedEnd);
            var outcome = framing.outcome();
            if (outcome.refusal() != null) {
                assertWellFormed(outcome.refusal());
                assertThat(outcome.refusal().code()).isIn(550, 552, 451);
            }
            if (consumed >= 0 && !containsBareCrOrLf(input, consumed)) {
                assertThat(outcome.bareLineEnding()).isFalse();
            }
        });
    }

    @Test
    void textRulesRefuseExactlyBareLineEndsAndNulWhateverTheChunks() {
        qt().withExamples(5_000).forAll(bytes(300), integers().between(1, 40)).checkAssert((input, split) -> {
            var rules = new TextContentRules();
            for (int off = 0; off < input.length; off += split) {
                rules.feed(input, off, Math.min(split, input.length - off));
            }
            rules.end();
            boolean bare = containsBareCrOrLf(input, input.length);
            boolean nul = false;
            for (byte b : input) {
                nul |= b == 0;
            }
            assertThat(rules.refusal()).isEqualTo(bare ? Reply.BARE_LINE_ENDING : nul ? Reply.NUL_IN_CONTENT : null);
        });
    }

    @Test
    void dotStuffingRoundTrips() {
        // Text lines: any characters but CR, LF and NUL, which text content may not hold.
        Gen<String> line = strings().allPossible().ofLengthBetween(0, 120).map(s -> s.replace('\r', ' ')
                .replace('\n', ' ').replace('\0', ' ')).mix(strings().betweenCodePoints('.', '.').ofLengthBetween(1, 4), 25);
        qt().withExamples(5_000).forAll(lists().of(line).ofSizeBetween(0, 30), integers().between(1, 64))
                .checkAssert((lines, split) -> {
                    var text = new StringBuilder();
                    lines.forEach(l -> text.append(l).append("\r\n"));
                    byte[] content = text.toString().getBytes(StandardCharsets.UTF_8);
                    byte[] wire = DotStuffing.encode(content);
                    var sink = new ByteArrayOutputStream();
                    var framing = new DataFraming(sink, Long.MAX_VALUE);
                    int end = feedInPieces(framing, wire, split);
                    assertThat(end).isEqualTo(wire.length);
                    assertThat(framing.outcome().refusal()).isNull();
                    assertThat(sink.toByteArray()).isEqualTo(content);
                });
    }

    static void assertWellFormed(Reply reply) {
        String wire = reply.render();
        assertThat(wire).endsWith("\r\n");
        for (String l : wire.substring(0, wire.length() - 2).split("\r\n", -1)) {
            assertThat(l).matches(REPLY_LINE);
        }
    }

    /** Feeds in pieces of {@code split} bytes; returns the end offset in the whole input, or -1. */
    static int feedInPieces(DataFraming framing, byte[] input, int split) {
        for (int off = 0; off < input.length; off += split) {
            int len = Math.min(split, input.length - off);
            int end = framing.feed(input, off, len);
            if (end >= 0) {
                return end;
            }
        }
        return -1;
    }

    /** The reference: offset after the first CRLF.CRLF, counting the start as after a CRLF. */
    static int endOfData(byte[] in) {
        byte[] withStart = new byte[in.length + 2];
        withStart[0] = '\r';
        withStart[1] = '\n';
        System.arraycopy(in, 0, withStart, 2, in.length);
        for (int i = 0; i + 4 < withStart.length; i++) {
            if (withStart[i] == '\r' && withStart[i + 1] == '\n' && withStart[i + 2] == '.' && withStart[i + 3] == '\r'
                    && withStart[i + 4] == '\n') {
                return i + 5 - 2;
            }
        }
        return -1;
    }

    static boolean containsBareCrOrLf(byte[] in, int end) {
        for (int i = 0; i < end; i++) {
            if (in[i] == '\r' && (i + 1 >= end || in[i + 1] != '\n')) {
                return true;
            }
            if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r')) {
                return true;
            }
        }
        return false;
    }
}
