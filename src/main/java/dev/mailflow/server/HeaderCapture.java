package dev.mailflow.server;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Passes message content through and keeps a copy of its header section (up to a bound),
 * so the server can read the Message-ID without a second pass over the file.
 */
final class HeaderCapture extends FilterOutputStream {

    static final int MAX_HEADER_OCTETS = 256 * 1024;

    private byte[] header = new byte[2048];
    private int length;
    private boolean complete;

    HeaderCapture(OutputStream out) {
        super(out);
    }

    /** The header section of content already written (after a filter's edits). */
    static HeaderCapture of(dev.mailflow.queue.QueueStore.Incoming incoming) throws IOException {
        var capture = new HeaderCapture(OutputStream.nullOutputStream());
        try (var in = incoming.written()) {
            byte[] buffer = new byte[8192];
            int n;
            while (!capture.complete && (n = in.read(buffer)) > 0) {
                capture.write(buffer, 0, n);
            }
        }
        return capture;
    }

    @Override
    public void write(int b) throws IOException {
        if (!complete) {
            capture(new byte[] {(byte) b}, 0, 1);
        }
        out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (!complete) {
            capture(b, off, len);
        }
        out.write(b, off, len);
    }

    /** Copies octets into the header section, a line at a time, until it ends or is too long. */
    private void capture(byte[] b, int off, int len) {
        int i = off;
        int end = off + len;
        while (i < end && !complete) {
            if (length == header.length) {
                if (length == MAX_HEADER_OCTETS) {
                    complete = true;
                    return;
                }
                header = Arrays.copyOf(header, Math.min(MAX_HEADER_OCTETS, length * 2));
            }
            int stop = Math.min(end, i + header.length - length);
            int lf = i;
            while (lf < stop && b[lf] != '\n') {
                lf++;
            }
            boolean lineEnds = lf < stop;
            int n = (lineEnds ? lf + 1 : stop) - i;
            System.arraycopy(b, i, header, length, n);
            length += n;
            i += n;
            if (lineEnds && endsSection()) {
                complete = true;
            }
        }
    }

    /** Whether the LF just captured ends the header section (an empty line, or none at all). */
    private boolean endsSection() {
        return length >= 2 && (header[length - 2] == '\n'
                || (length >= 3 && header[length - 2] == '\r' && header[length - 3] == '\n')
                || length == 2 && header[0] == '\r');
    }

    /** Whether the header section has a field of this name. */
    boolean hasHeader(String name) {
        String prefix = name + ":";
        for (int i = 0; i < length; i = lineFeed(i) + 1) {
            if (header[i] == '\r' || header[i] == '\n') {
                return false;
            }
            if (startsWithIgnoreCase(i, length, prefix)) {
                return true;
            }
        }
        return false;
    }

    /** How many Received headers the header section holds (RFC 5321 6.3 loop detection). */
    int receivedCount() {
        int n = 0;
        for (int i = 0; i < length; i = lineFeed(i) + 1) {
            if (header[i] == '\r' || header[i] == '\n') {
                break;
            }
            if (startsWithIgnoreCase(i, length, "Received:")) {
                n++;
            }
        }
        return n;
    }

    /**
     * The value of the first Message-ID header (unfolded, trimmed), or null. Lines end at LF or
     * CRLF; the field name is matched in ASCII, with white space around it as readers take it.
     */
    String messageId() {
        int i = 0;
        while (i < length) {
            int lf = lineFeed(i);
            int stop = contentEnd(i, lf);
            if (stop == i) {
                return null; // the empty line: the header section ends
            }
            int colon = header[i] == ' ' || header[i] == '\t' ? -1 : messageIdColon(i, stop);
            if (colon >= 0) {
                var value = new java.io.ByteArrayOutputStream(stop - colon + 16);
                value.write(header, colon + 1, stop - colon - 1);
                // Folded lines that follow belong to the value (RFC 5322 2.2.3).
                int next = lf + 1;
                while (next < length) {
                    int nextLf = lineFeed(next);
                    int nextStop = contentEnd(next, nextLf);
                    if (nextStop == next || (header[next] != ' ' && header[next] != '\t')) {
                        break;
                    }
                    value.write(header, next, nextStop - next);
                    next = nextLf + 1;
                }
                String id = value.toString(StandardCharsets.UTF_8).strip();
                return id.isEmpty() || id.length() > 998 ? null : id;
            }
            i = lf + 1;
        }
        return null;
    }

    /** Where the line starting at {@code from} has its LF, or {@link #length} if it has none. */
    private int lineFeed(int from) {
        int i = from;
        while (i < length && header[i] != '\n') {
            i++;
        }
        return i;
    }

    /** The end of a line's content: before its CRLF or LF (a line without LF keeps a last CR). */
    private int contentEnd(int from, int lf) {
        return lf < length && lf > from && header[lf - 1] == '\r' ? lf - 1 : lf;
    }

    private int indexOf(char c, int from, int to) {
        for (int i = from; i < to; i++) {
            if (header[i] == c) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Where the colon is when the line's text before its first colon is "Message-ID" (white
     * space around it), else -1.
     */
    private int messageIdColon(int from, int to) {
        int colon = indexOf(':', from, to);
        if (colon <= from) {
            return -1;
        }
        int start = from;
        int end = colon;
        while (start < end && whiteSpace(header[start])) {
            start++;
        }
        while (end > start && whiteSpace(header[end - 1])) {
            end--;
        }
        return end - start == "message-id".length() && startsWithIgnoreCase(start, end, "message-id") ? colon : -1;
    }

    /** Whether the octets from {@code at} (before {@code to}) start with this ASCII text, in any case. */
    private boolean startsWithIgnoreCase(int at, int to, String text) {
        if (to - at < text.length()) {
            return false;
        }
        for (int k = 0; k < text.length(); k++) {
            int c = header[at + k];
            int t = text.charAt(k);
            if (c != t && Character.toLowerCase(c) != Character.toLowerCase(t)) {
                return false;
            }
        }
        return true;
    }

    /** The ASCII white space of {@link String#strip()}. */
    private static boolean whiteSpace(byte b) {
        return (b >= 9 && b <= 13) || (b >= 28 && b <= 32);
    }
}
