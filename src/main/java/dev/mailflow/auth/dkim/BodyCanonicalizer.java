package dev.mailflow.auth.dkim;

/**
 * The body canonicalization of RFC 6376 section 3.4.3 (simple) and 3.4.4 (relaxed), done as
 * the body arrives, in pieces of any size: a message of 50 MB is hashed from the queue file
 * without being held in memory, and a piece may end anywhere (between the CR and the LF of a
 * line end, inside a run of spaces).
 *
 * <ul>
 * <li>Only CRLF ends a line; a lone CR or LF is an ordinary octet of its line (the message is
 *     in canonical form, 3.4).</li>
 * <li>Empty lines are held back until a line with content follows, so the empty lines at the
 *     end of the body disappear (3.4.3, 3.4.4 c).</li>
 * <li>relaxed: a run of SP and HTAB becomes one SP, and is dropped at the end of a line, so a
 *     line of whitespace only is an empty line (3.4.4 a, b).</li>
 * <li>A last line without CRLF gets one. An empty body is CRLF for simple, nothing for
 *     relaxed (3.4.3, 3.4.4 c).</li>
 * </ul>
 *
 * <p>Not thread-safe: one per body.
 */
final class BodyCanonicalizer {

    private static final byte[] CRLF = {'\r', '\n'};

    private final boolean relaxed;
    private final Canonicalization.BodySink sink;
    private static final int BUFFER = 8192;

    private final byte[] buffer;
    private int buffered;

    private long pendingEmptyLines;
    private boolean lineHasContent;
    private boolean pendingSpace;
    private boolean pendingCr;
    private boolean wroteAnything;

    BodyCanonicalizer(Canonicalization c, Canonicalization.BodySink sink) {
        this(c, sink, BUFFER);
    }

    /**
     * @param sizeHint the body's length when known: a small body gets a buffer of its size, not
     *                 8 KiB to fill and throw away with every message
     */
    BodyCanonicalizer(Canonicalization c, Canonicalization.BodySink sink, long sizeHint) {
        this.relaxed = c == Canonicalization.RELAXED;
        this.sink = sink;
        this.buffer = new byte[(int) Math.max(64, Math.min(BUFFER, sizeHint + 2))];
    }

    /** The next piece of the body. */
    void write(byte[] b, int off, int len) {
        int end = off + len;
        for (int i = off; i < end; i++) {
            byte x = b[i];
            if (pendingCr) {
                pendingCr = false;
                if (x == '\n') {
                    endOfLine();
                    continue;
                }
                content((byte) '\r');
            }
            if (x == '\r') {
                pendingCr = true;
            } else if (relaxed && (x == ' ' || x == '\t')) {
                pendingSpace = true;
            } else {
                content(x);
                // The octets after it up to the next CR (or space, for relaxed) go out as they
                // are, in one copy: what content() would do with each of them.
                int run = i + 1;
                while (run < end && ordinary(b[run])) {
                    run++;
                }
                copy(b, i + 1, run - (i + 1));
                i = run - 1;
            }
        }
    }

    /** An octet that, inside a line with content and no space pending, goes out unchanged. */
    private boolean ordinary(byte x) {
        return x != '\r' && !(relaxed && (x == ' ' || x == '\t'));
    }

    private void copy(byte[] b, int off, int len) {
        while (len > 0) {
            if (buffered == buffer.length) {
                flush();
            }
            int n = Math.min(len, buffer.length - buffered);
            System.arraycopy(b, off, buffer, buffered, n);
            buffered += n;
            off += n;
            len -= n;
        }
    }

    /** The end of the body: the last line, and for simple an empty body's CRLF. */
    void finish() {
        if (pendingCr) {
            pendingCr = false;
            content((byte) '\r');
        }
        if (lineHasContent) {
            out(CRLF[0]);
            out(CRLF[1]);
        }
        if (!relaxed && !wroteAnything) {
            out(CRLF[0]);
            out(CRLF[1]);
        }
        flush();
    }

    private void content(byte x) {
        if (!lineHasContent) {
            for (; pendingEmptyLines > 0; pendingEmptyLines--) {
                out(CRLF[0]);
                out(CRLF[1]);
            }
            lineHasContent = true;
        }
        if (pendingSpace) {
            pendingSpace = false;
            out((byte) ' ');
        }
        out(x);
    }

    private void endOfLine() {
        if (lineHasContent) {
            out(CRLF[0]);
            out(CRLF[1]);
        } else {
            pendingEmptyLines++;
        }
        lineHasContent = false;
        pendingSpace = false;
    }

    private void out(byte x) {
        if (buffered == buffer.length) {
            flush();
        }
        buffer[buffered++] = x;
        wroteAnything = true;
    }

    private void flush() {
        if (buffered > 0) {
            sink.write(buffer, 0, buffered);
            buffered = 0;
        }
    }
}
