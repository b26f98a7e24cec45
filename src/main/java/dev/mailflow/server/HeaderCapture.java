package dev.mailflow.server;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

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
        capture(b);
        out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        for (int i = off; i < off + len && !complete; i++) {
            capture(b[i]);
        }
        out.write(b, off, len);
    }

    private void capture(int b) {
        if (complete) {
            return;
        }
        if (length == header.length) {
            if (length == MAX_HEADER_OCTETS) {
                complete = true;
                return;
            }
            header = java.util.Arrays.copyOf(header, Math.min(MAX_HEADER_OCTETS, length * 2));
        }
        header[length++] = (byte) b;
        if (length >= 2 && header[length - 1] == '\n'
                && (header[length - 2] == '\n' || (length >= 3 && header[length - 2] == '\r'
                && header[length - 3] == '\n') || length == 2 && header[0] == '\r')) {
            complete = true;
        }
    }

    /** Whether the header section has a field of this name. */
    boolean hasHeader(String name) {
        String prefix = name + ":";
        int lineStart = 0;
        for (int i = 0; i < length; i++) {
            if (i == lineStart) {
                if (header[i] == '\r' || header[i] == '\n') {
                    return false;
                }
                if (length - i >= prefix.length() && new String(header, i, prefix.length(),
                        StandardCharsets.US_ASCII).equalsIgnoreCase(prefix)) {
                    return true;
                }
            }
            if (header[i] == '\n') {
                lineStart = i + 1;
            }
        }
        return false;
    }

    /** How many Received headers the header section holds (RFC 5321 6.3 loop detection). */
    int receivedCount() {
        int n = 0;
        int lineStart = 0;
        for (int i = 0; i < length; i++) {
            if (i == lineStart && length - i >= 9) {
                if (header[i] == '\r' || header[i] == '\n') {
                    break;
                }
                String name = new String(header, i, 9, StandardCharsets.US_ASCII);
                if (name.equalsIgnoreCase("Received:")) {
                    n++;
                }
            }
            if (header[i] == '\n') {
                lineStart = i + 1;
            }
        }
        return n;
    }

    /** The value of the first Message-ID header (unfolded, trimmed), or null. */
    String messageId() {
        String text = new String(header, 0, length, StandardCharsets.UTF_8);
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            if (l.isEmpty()) {
                break;
            }
            if (l.charAt(0) == ' ' || l.charAt(0) == '\t') {
                continue; // a folded line of another field, never a field of its own
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
}
