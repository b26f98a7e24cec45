package dev.mailflow.server;

import dev.mailflow.auth.AuthenticationResults;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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
    /** The field being held, its first {@link #held} octets. */
    private byte[] field = new byte[256];
    private int held;
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
            if (lineStart) {
                lineStart = false;
                byte c = b[i];
                if (c != ' ' && c != '\t') {
                    // A new line that does not continue the field: the field held so far is whole.
                    release();
                    if (c == '\r' || c == '\n') {
                        // The empty line ends the header section: the rest passes below.
                        body = true;
                        break;
                    }
                }
            }
            // The rest of this line, up to and including its LF, in one piece.
            int stop = i;
            while (stop < end && b[stop] != '\n') {
                stop++;
            }
            if (stop < end) {
                stop++;
                lineStart = true;
            }
            hold(b, i, stop - i);
            i = stop;
        }
        if (i < end) {
            out.write(b, i, end - i);
        }
    }

    /** Adds octets to the field being held, or passes them on when it is too long to check. */
    private void hold(byte[] b, int off, int len) throws IOException {
        if (streaming) {
            out.write(b, off, len);
            return;
        }
        if (held + len > field.length) {
            if (held + len > MAX_FIELD) {
                out.write(field, 0, held);
                out.write(b, off, len);
                held = 0;
                streaming = true;
                return;
            }
            field = Arrays.copyOf(field, Math.min(MAX_FIELD, Math.max(held + len, field.length * 2)));
        }
        System.arraycopy(b, off, field, held, len);
        held += len;
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
        if (held == 0) {
            return;
        }
        int length = held;
        held = 0;
        if (forged(field, length)) {
            removed++;
            removedOctets += length;
            return;
        }
        out.write(field, 0, length);
    }

    private boolean forged(byte[] f, int length) {
        int nameLength = NAME.length - 1;
        if (length < NAME.length) {
            return false;
        }
        for (int i = 0; i < nameLength; i++) {
            if (Character.toLowerCase(f[i]) != Character.toLowerCase(NAME[i])) {
                return false;
            }
        }
        // RFC 5322 4.5.8: readers take white space before the colon too ("Name : value").
        int colon = nameLength;
        while (colon < length && (f[colon] == ' ' || f[colon] == '\t')) {
            colon++;
        }
        if (colon >= length || f[colon] != ':') {
            return false;
        }
        String value = new String(f, colon + 1, length - colon - 1, StandardCharsets.ISO_8859_1)
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
