package dev.mailflow.server;

import dev.mailflow.auth.AuthenticationResults;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Drops, on the way into the queue, every Authentication-Results field of the header section
 * whose authserv-id is our own host name: such a field came from outside and claims results
 * we never found (RFC 8601 section 5). Everything else passes unchanged; after the header
 * section the stream is a plain pass-through.
 *
 * <p>A field is held until the next line shows it is complete (a line that does not start with
 * white space); a field longer than {@link #MAX_FIELD} octets is passed on unread.
 */
final class ForgedResultsFilter extends OutputStream {

    static final int MAX_FIELD = 64 * 1024;
    private static final byte[] NAME = (AuthenticationResults.FIELD_NAME + ":").getBytes(StandardCharsets.US_ASCII);

    private final OutputStream out;
    private final String ourId;
    private final ByteArrayOutputStream field = new ByteArrayOutputStream(256);
    /** Past the header section: everything passes. */
    private boolean body;
    /** The field being held is too long to check: it passes as it comes. */
    private boolean streaming;
    /** The last octet seen was LF: the next one starts a line. */
    private boolean lineStart = true;
    private int removed;
    private long removedOctets;

    ForgedResultsFilter(OutputStream out, String ourHostname) {
        this.out = out;
        this.ourId = ourHostname.toLowerCase(Locale.ROOT);
    }

    /** How many fields were dropped. */
    int removed() {
        return removed;
    }

    /** How many octets the dropped fields had: the queued content is this much shorter. */
    long removedOctets() {
        return removedOctets;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        int i = off;
        int end = off + len;
        while (i < end && !body) {
            byte c = b[i++];
            if (lineStart) {
                lineStart = false;
                if (c != ' ' && c != '\t') {
                    // A new line that does not continue the field: the field held so far is whole.
                    release();
                    if (c == '\r' || c == '\n') {
                        // The empty line ends the header section.
                        body = true;
                        out.write(c);
                        lineStart = c == '\n';
                        break;
                    }
                }
            }
            if (streaming) {
                out.write(c);
            } else {
                field.write(c);
                if (field.size() > MAX_FIELD) {
                    field.writeTo(out);
                    field.reset();
                    streaming = true;
                }
            }
            if (c == '\n') {
                lineStart = true;
            }
        }
        if (i < end) {
            out.write(b, i, end - i);
        }
    }

    /** Ends the header section when the message has no body: releases the last field. */
    void finish() throws IOException {
        if (!body) {
            release();
        }
        out.flush();
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    private void release() throws IOException {
        streaming = false;
        if (field.size() == 0) {
            return;
        }
        byte[] f = field.toByteArray();
        field.reset();
        if (forged(f)) {
            removed++;
            removedOctets += f.length;
            return;
        }
        out.write(f);
    }

    private boolean forged(byte[] f) {
        int nameLength = NAME.length - 1;
        if (f.length < NAME.length) {
            return false;
        }
        for (int i = 0; i < nameLength; i++) {
            if (Character.toLowerCase(f[i]) != Character.toLowerCase(NAME[i])) {
                return false;
            }
        }
        // RFC 5322 4.5.8: readers take white space before the colon too ("Name : value").
        int colon = nameLength;
        while (colon < f.length && (f[colon] == ' ' || f[colon] == '\t')) {
            colon++;
        }
        if (colon >= f.length || f[colon] != ':') {
            return false;
        }
        String value = new String(f, colon + 1, f.length - colon - 1, StandardCharsets.ISO_8859_1)
                .replace("\r", "").replace("\n", "");
        String id = AuthenticationResults.authservId(value);
        if (id == null) {
            return false;
        }
        // "mx\.example.test" (a quoted-pair) and "mx.example.test." (the root's dot) name us too.
        id = id.replace("\\", "");
        if (id.endsWith(".")) {
            id = id.substring(0, id.length() - 1);
        }
        return ourId.equals(id);
    }
}
