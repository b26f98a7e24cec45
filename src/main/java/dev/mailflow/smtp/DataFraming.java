package dev.mailflow.smtp;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The DATA phase decoder, RFC 5321 4.1.1.4 and 4.5.2: finds the end of data, removes
 * dot-stuffing and checks the content rules, while copying the message to a sink.
 *
 * <p>SECURITY (SMTP smuggling, CVE-2023-51764 family): only {@code <CRLF>.<CRLF>} ends the
 * data. A bare LF or bare CR never starts a line, so {@code <LF>.<LF>}, {@code <LF>.<CRLF>}
 * or {@code <CR>.<CR>} are just content; the message that holds them is marked and must be
 * refused as a whole at its real end, as is a message with a NUL octet (a next hop that drops
 * NULs would see {@code <CRLF>.<CRLF>} in {@code <CRLF><NUL>.<CRLF>}; see
 * {@link TextContentRules}). Lines longer than 1000 octets with their CRLF
 * (4.5.3.1.6) mark the message too. Content past the size limit is still read to the end
 * of data, but no longer copied.
 *
 * <p>Feed it the bytes as they arrive; it tells where the data ended.
 */
public final class DataFraming {

    /** RFC 5321 4.5.3.1.6: 1000 octets including CRLF. */
    public static final int MAX_TEXT_LINE_OCTETS = 998;

    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private final OutputStream sink;
    private final long maxSize;
    private final byte[] out = new byte[8192];
    private int outLength;

    private boolean lineStart = true;
    private boolean afterLeadingDot;
    private boolean dotOnlyLine;
    private boolean pendingCr;
    private int lineLength;
    private long size;
    private boolean sizeExceeded;
    private boolean bareLineEnding;
    private boolean lineTooLong;
    private boolean nul;
    private IOException sinkFailure;
    private boolean ended;

    /**
     * @param sink    where the unstuffed content goes (may be null to discard)
     * @param maxSize the largest message accepted; later content is not copied
     */
    public DataFraming(OutputStream sink, long maxSize) {
        this.sink = sink;
        this.maxSize = maxSize;
    }

    /** What the content was like, once {@link #feed} has found the end of data. */
    public record Outcome(long size, boolean sizeExceeded, boolean bareLineEnding, boolean lineTooLong,
                          boolean nul, IOException sinkFailure) {

        /** The reply for a refused message, or null when the content was acceptable. */
        public Reply refusal() {
            if (sizeExceeded) {
                return Reply.MESSAGE_TOO_BIG;
            }
            if (bareLineEnding) {
                return Reply.BARE_LINE_ENDING;
            }
            if (nul) {
                return Reply.NUL_IN_CONTENT;
            }
            if (lineTooLong) {
                return Reply.TEXT_LINE_TOO_LONG;
            }
            if (sinkFailure != null) {
                return Reply.LOCAL_ERROR;
            }
            return null;
        }
    }

    /**
     * Consumes bytes up to the end of data.
     *
     * @return the offset just after {@code <CRLF>.<CRLF>} when it was found in this buffer
     *         (bytes after it belong to the next command), or -1 when all bytes were consumed
     *         and more are needed
     */
    public int feed(byte[] buf, int off, int len) {
        if (ended) {
            throw new IllegalStateException("end of data already seen");
        }
        int end = off + len;
        for (int i = off; i < end; i++) {
            byte b = buf[i];
            if (pendingCr) {
                pendingCr = false;
                if (b == LF) {
                    if (dotOnlyLine) {
                        ended = true;
                        flush();
                        return i + 1;
                    }
                    emit(CR);
                    emit(LF);
                    lineStart = true;
                    lineLength = 0;
                    continue;
                }
                // A CR not followed by LF: content, and a refused message.
                bareLineEnding = true;
                if (dotOnlyLine) {
                    dotOnlyLine = false;
                }
                emit(CR);
                lineLength++;
            }
            if (lineStart) {
                lineStart = false;
                if (b == '.') {
                    afterLeadingDot = true;
                    lineLength++;
                    continue;
                }
            }
            if (afterLeadingDot) {
                afterLeadingDot = false;
                if (b == CR) {
                    dotOnlyLine = true;
                    pendingCr = true;
                    continue;
                }
                // A stuffed dot (4.5.2): dropped, the rest of the line is content.
            }
            dotOnlyLine = false;
            if (b == CR) {
                pendingCr = true;
                continue;
            }
            if (b == LF) {
                // A bare LF: content, never a line start for the end-of-data check.
                bareLineEnding = true;
                emit(LF);
                lineLength = 0;
                continue;
            }
            if (b == 0) {
                nul = true;
            }
            emit(b);
            if (++lineLength > MAX_TEXT_LINE_OCTETS) {
                lineTooLong = true;
            }
        }
        return -1;
    }

    public boolean ended() {
        return ended;
    }

    public Outcome outcome() {
        return new Outcome(size, sizeExceeded, bareLineEnding, lineTooLong, nul, sinkFailure);
    }

    private void emit(byte b) {
        if (++size > maxSize) {
            sizeExceeded = true;
            return;
        }
        out[outLength++] = b;
        if (outLength == out.length) {
            flush();
        }
    }

    private void flush() {
        if (outLength == 0) {
            return;
        }
        if (sink != null && sinkFailure == null && !sizeExceeded) {
            try {
                sink.write(out, 0, outLength);
            } catch (IOException e) {
                sinkFailure = e;
            }
        }
        outLength = 0;
    }
}
