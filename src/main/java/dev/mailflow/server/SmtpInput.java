package dev.mailflow.server;

import dev.mailflow.smtp.DataFraming;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The session's reader: command lines, DATA and BDAT chunks from one buffer, so nothing
 * read ahead is lost between modes. SECURITY: lines are bounded; after STARTTLS the buffer
 * is discarded ({@link #discardBuffered}) so pipelined plaintext never reaches the TLS
 * session (CVE-2011-0411).
 *
 * <p>SECURITY: every read is bounded by a deadline for the whole line, message or chunk
 * ({@link #deadline}), not by a timeout per read that a client dripping one octet at a time
 * renews for ever (see {@link Deadlines}). A passed deadline is a {@link SocketTimeoutException}.
 */
final class SmtpInput {

    /** One command line as read: its text, or why it could not be used. */
    record Line(String text, boolean tooLong, boolean badEncoding) {
    }

    /** Sets the socket's read timeout (the socket changes with STARTTLS). */
    interface ReadTimeout {
        void set(int millis) throws java.net.SocketException;
    }

    private InputStream in;
    private final ReadTimeout readTimeout;
    /** System.nanoTime() by which the current read must be done. */
    private long deadline = Long.MAX_VALUE;
    /** How far each octet received moves the deadline (a minimum data rate), or 0. */
    private long nanosPerOctet;
    /** Octets read from the client so far (read by other threads: a rough figure is enough). */
    private volatile long octetsRead;

    long octetsRead() {
        return octetsRead;
    }
    /**
     * The read buffer: small while the session reads commands, large while it reads message
     * content. An idle connection (waiting for its next command) holds only the small one, so
     * thousands of them cost little memory; a client that keeps sending keeps the large one.
     */
    private static final int COMMAND_BUFFER = 1024;
    private static final int CONTENT_BUFFER = 16 * 1024;
    private byte[] buf = new byte[COMMAND_BUFFER];
    private boolean content;
    private int pos;
    private int limit;
    /** The command line being read; grows up to the line limit as a long line needs it. */
    private byte[] line = new byte[256];

    SmtpInput(InputStream in, ReadTimeout readTimeout) {
        this.in = in;
        this.readTimeout = readTimeout;
    }

    /** What follows must arrive within {@code limit}: a command line, say. */
    void deadline(java.time.Duration limit) {
        deadline(limit, 0);
    }

    /**
     * What follows must arrive within {@code limit}, plus the time the octets received would
     * take at {@code minRate} octets per second (0: no extension).
     */
    void deadline(java.time.Duration limit, long minRate) {
        long now = System.nanoTime();
        long nanos = limit.toNanos();
        deadline = nanos > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + nanos;
        nanosPerOctet = minRate > 0 ? 1_000_000_000L / minRate : 0;
    }

    /**
     * The socket had nothing more when last asked, and nothing was read since: asked again
     * before the next read (the HELO client's check and the reply flush, one after the other),
     * the answer stays no, without another FIONREAD. Input that came meanwhile only means a
     * reply flushed a little early, which is always allowed.
     */
    private boolean drained;

    /** True when more input is already here, so the reply flush can wait (RFC 2920). */
    boolean hasBufferedInput() throws IOException {
        if (pos < limit) {
            return true;
        }
        if (drained) {
            return false;
        }
        if (in.available() > 0) {
            return true;
        }
        drained = true;
        return false;
    }

    /**
     * Waits up to {@code wait} for the client to send anything (the greeting delay); what
     * arrives stays buffered.
     *
     * @return 1 when input is here, 0 when nothing came in time, -1 when the client closed
     */
    int awaitInput(java.time.Duration wait) throws IOException {
        if (pos < limit) {
            return 1;
        }
        deadline(wait);
        try {
            return fill() ? 1 : -1;
        } catch (SocketTimeoutException e) {
            return 0;
        }
    }

    /**
     * The start of what is buffered and not read yet, for the protocol log (which escapes
     * control characters): at most {@code max} octets, each as the character of its value.
     */
    String bufferedPreview(int max) {
        return new String(buf, pos, Math.min(max, limit - pos), StandardCharsets.ISO_8859_1);
    }

    /**
     * Reads a line ended by CRLF or a bare LF (lenient, for hand-typed commands).
     *
     * @return the line without its ending, or null at end of stream
     */
    Line readLine() throws IOException {
        int length = 0;
        boolean tooLong = false;
        while (true) {
            if (pos == limit && !fill()) {
                if (length == 0 && !tooLong) {
                    return null;
                }
                throw new EOFException("connection closed in the middle of a line");
            }
            byte b = buf[pos++];
            if (b == '\n') {
                break;
            }
            if (length == line.length && line.length < dev.mailflow.smtp.SmtpLimits.READ_LIMIT_OCTETS) {
                line = java.util.Arrays.copyOf(line, Math.min(line.length * 2,
                        dev.mailflow.smtp.SmtpLimits.READ_LIMIT_OCTETS));
            }
            if (length < line.length) {
                line[length++] = b;
            } else {
                tooLong = true;
            }
        }
        if (length > 0 && line[length - 1] == '\r') {
            length--;
        }
        if (tooLong) {
            return new Line(null, true, false);
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(line, 0, length)).toString();
            return new Line(text, false, false);
        } catch (CharacterCodingException e) {
            return new Line(null, false, true);
        }
    }

    /** Feeds the framing until the end of data; bytes after it stay buffered. */
    void readData(DataFraming framing) throws IOException {
        content = true;
        try {
            while (true) {
                if (pos == limit && !fill()) {
                    throw new EOFException("connection closed during DATA");
                }
                int end = framing.feed(buf, pos, limit - pos);
                if (end >= 0) {
                    pos = end;
                    return;
                }
                pos = limit;
            }
        } finally {
            content = false;
        }
    }

    /**
     * Copies exactly {@code size} octets to {@code sink} (or skips them when it is null).
     * A failing sink does not stop the reading: the chunk must be consumed either way.
     *
     * @return the sink's failure, or null
     */
    IOException readChunk(long size, OutputStream sink) throws IOException {
        IOException failure = null;
        long remaining = size;
        content = remaining > CONTENT_BUFFER;
        while (remaining > 0) {
            if (pos == limit && !fill()) {
                throw new EOFException("connection closed during BDAT");
            }
            int n = (int) Math.min(remaining, limit - pos);
            if (sink != null && failure == null) {
                try {
                    sink.write(buf, pos, n);
                } catch (IOException e) {
                    failure = e;
                }
            }
            pos += n;
            remaining -= n;
        }
        content = false;
        return failure;
    }

    /** Drops whatever the client sent ahead (STARTTLS), and reads from a new stream. */
    void discardBuffered(InputStream next) {
        pos = 0;
        limit = 0;
        in = next;
        drained = false;
    }

    private boolean fill() throws IOException {
        long left = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        readTimeout.set(left == Long.MAX_VALUE ? 0 : (int) Math.max(1, Math.min(Integer.MAX_VALUE,
                (left + 999_999) / 1_000_000)));
        // Everything buffered is consumed here (pos == limit): the buffer can change.
        if (content && buf.length < CONTENT_BUFFER) {
            buf = new byte[CONTENT_BUFFER];
        } else if (!content && buf.length > COMMAND_BUFFER && in.available() == 0) {
            buf = new byte[COMMAND_BUFFER]; // nothing more has come: perhaps idle for long now
        }
        drained = false;
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) {
            return false;
        }
        octetsRead += n;
        if (nanosPerOctet > 0 && deadline != Long.MAX_VALUE) {
            long more = n * nanosPerOctet;
            deadline = more > Long.MAX_VALUE - deadline ? Long.MAX_VALUE : deadline + more;
        }
        pos = 0;
        limit = n;
        return true;
    }
}
