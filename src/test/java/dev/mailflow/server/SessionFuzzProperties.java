package dev.mailflow.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.lists;

import dev.mailflow.smtp.SmtpProperties;
import dev.mailflow.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Arbitrary bytes sent to a real server: every reply is a well-formed SMTP reply, the
 * session ends with 221 or 421 and never with a stack trace or a hang.
 */
class SessionFuzzProperties {

    private static final Pattern LINE = Pattern.compile("[2-5]\\d\\d[ -].*");
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(List.of("command_timeout = \"1s\"", "data_timeout = \"1s\""), List.of());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void arbitraryInputGetsWellFormedRepliesAndAnOrderlyEnd() {
        qt().withExamples(100).forAll(lists().of(SmtpPropertiesAccess.bytes(120)).ofSizeBetween(1, 12))
                .checkAssert(chunks -> {
                    try (var socket = new Socket("127.0.0.1", server.port())) {
                        socket.setSoTimeout(8000);
                        var wire = new ByteArrayOutputStream();
                        for (byte[] chunk : chunks) {
                            wire.write(chunk);
                            wire.write(new byte[] {'\r', '\n'});
                        }
                        // Whatever state it is in, this ends it: data ends, then QUIT.
                        wire.write("\r\n.\r\nQUIT\r\n".getBytes(StandardCharsets.US_ASCII));
                        try {
                            socket.getOutputStream().write(wire.toByteArray());
                            socket.getOutputStream().flush();
                        } catch (SocketException e) {
                            // The server may close first (421 for too many errors, an HTTP line).
                        }
                        List<String> replies = readAll(socket.getInputStream());
                        assertThat(replies).isNotEmpty();
                        assertThat(replies.get(0)).startsWith("220 ");
                        for (String r : replies) {
                            assertThat(r).matches(LINE);
                        }
                        String last = replies.get(replies.size() - 1);
                        assertThat(last).matches("(221|421|4\\d\\d|5\\d\\d|354|250) .*");
                    } catch (java.io.IOException e) {
                        throw new AssertionError(e);
                    }
                });
    }

    private static List<String> readAll(InputStream in) throws java.io.IOException {
        var lines = new ArrayList<String>();
        var buf = new ByteArrayOutputStream();
        try {
            int b;
            while ((b = in.read()) >= 0) {
                if (b == '\n') {
                    String l = buf.toString(StandardCharsets.UTF_8);
                    assertThat(l).endsWith("\r");
                    lines.add(l.substring(0, l.length() - 1));
                    buf.reset();
                } else {
                    buf.write(b);
                }
            }
        } catch (SocketException e) {
            // reset after close
        }
        assertThat(buf.size()).as("a reply line not ended by CRLF").isZero();
        return lines;
    }

    /** Access to the generator of the protocol property tests. */
    static final class SmtpPropertiesAccess {
        static org.quicktheories.core.Gen<byte[]> bytes(int max) {
            return SmtpProperties.bytes(max);
        }
    }
}
