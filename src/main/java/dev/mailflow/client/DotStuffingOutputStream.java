package dev.mailflow.client;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes message content as DATA wants it (RFC 5321 4.5.2): a dot at the start of a line is
 * doubled, every line ends in CRLF (a bare CR or LF becomes CRLF: never on the wire), and
 * {@link #finish} ends the data with {@code <CRLF>.<CRLF>}.
 */
public final class DotStuffingOutputStream extends FilterOutputStream {

    private boolean lineStart = true;
    private boolean pendingCr;

    public DotStuffingOutputStream(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        if (pendingCr) {
            pendingCr = false;
            out.write('\r');
            out.write('\n');
            lineStart = true;
            if (b == '\n') {
                return;
            }
        }
        if (b == '\r') {
            pendingCr = true;
            return;
        }
        if (b == '\n') {
            out.write('\r');
            out.write('\n');
            lineStart = true;
            return;
        }
        if (lineStart && b == '.') {
            out.write('.');
        }
        out.write(b);
        lineStart = false;
    }

    /**
     * The same as {@link #write(int)} for each octet, but the run of a line between its first
     * octet and its end goes out in one write (a 64 KiB message is not 65,536 calls).
     */
    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        int end = off + len;
        int i = off;
        while (i < end) {
            if (pendingCr || lineStart) {
                write(b[i++]); // a line's first octet (the dot), or what follows a CR
                continue;
            }
            int start = i;
            while (i < end && b[i] != '\r' && b[i] != '\n') {
                i++;
            }
            if (i > start) {
                out.write(b, start, i - start);
            }
            if (i < end) {
                write(b[i++]);
            }
        }
    }

    /** Ends the data: a CRLF if the content did not end with one, then ".CRLF". */
    public void finish() throws IOException {
        if (pendingCr) {
            pendingCr = false;
            out.write('\r');
            out.write('\n');
            lineStart = true;
        }
        if (!lineStart) {
            out.write('\r');
            out.write('\n');
        }
        out.write('.');
        out.write('\r');
        out.write('\n');
        out.flush();
    }
}
