package dev.mailflow.client;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** One line of a server's reply, read as SMTP and LMTP clients read it: bounded, CRLF or LF. */
public final class ReplyLines {

    private ReplyLines() {
    }

    /**
     * The next line, without its line end, decoded as UTF-8.
     *
     * @throws SmtpProtocolException when it is longer than {@code max} octets
     * @throws EOFException          when the server closed the connection
     */
    public static String read(InputStream in, int max) throws IOException {
        return read(in, max, Long.MAX_VALUE);
    }

    /**
     * The same, within {@code deadlineNanos} of {@link System#nanoTime()}.
     *
     * @throws java.net.SocketTimeoutException when the line has not ended by then
     */
    public static String read(InputStream in, int max, long deadlineNanos) throws IOException {
        var buf = new ByteArrayOutputStream(128);
        while (true) {
            if (deadlineNanos != Long.MAX_VALUE && System.nanoTime() - deadlineNanos > 0) {
                throw new java.net.SocketTimeoutException("the reply did not end in time");
            }
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the server closed the connection");
            }
            if (b == '\n') {
                break;
            }
            if (buf.size() >= max) {
                throw new SmtpProtocolException("reply line longer than " + max + " octets");
            }
            buf.write(b);
        }
        byte[] bytes = buf.toByteArray();
        int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, len, StandardCharsets.UTF_8);
    }
}
