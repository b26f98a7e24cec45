package dev.mailflow.auth.dkim;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A message as CRLF bytes, split into its header fields and the offset of its body, RFC 5322
 * section 2.1: the header section ends at the first empty line; a line that starts with SP or
 * HTAB continues the field above (2.2.3). Nothing is decoded or reformatted: DKIM signs and
 * verifies the bytes themselves.
 *
 * <p>SECURITY: the bytes are untrusted. Splitting never fails: a line without a colon becomes
 * a field with a name no h= list can match, and a message without an empty line is all header
 * with an empty body. Only CRLF ends a line (Mailflow's queue stores nothing else); bare CR or
 * LF stays inside its line, as RFC 6376 section 3.4 expects of a message in canonical form.
 */
final class RawMessage {

    private final byte[] bytes;
    private final List<HeaderField> headers;
    private final int bodyStart;

    private RawMessage(byte[] bytes, List<HeaderField> headers, int bodyStart) {
        this.bytes = bytes;
        this.headers = headers;
        this.bodyStart = bodyStart;
    }

    static RawMessage parse(byte[] bytes) {
        var headers = new ArrayList<HeaderField>();
        int pos = 0;
        int n = bytes.length;
        while (pos < n) {
            if (crlfAt(bytes, pos)) {
                pos += 2; // the empty line: the body follows
                return new RawMessage(bytes, List.copyOf(headers), pos);
            }
            int start = pos;
            int end = lineEnd(bytes, pos);
            while (end < n && (bytes[end] == ' ' || bytes[end] == '\t')) {
                end = lineEnd(bytes, end);
            }
            headers.add(HeaderField.of(new String(bytes, start, end - start, StandardCharsets.ISO_8859_1)));
            pos = end;
        }
        return new RawMessage(bytes, List.copyOf(headers), n);
    }

    /** The offset just after the CRLF that ends the line starting at {@code pos}, or the end. */
    private static int lineEnd(byte[] b, int pos) {
        for (int i = pos; i + 1 < b.length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i + 2;
            }
        }
        return b.length;
    }

    private static boolean crlfAt(byte[] b, int i) {
        return i + 1 < b.length && b[i] == '\r' && b[i + 1] == '\n';
    }

    List<HeaderField> headers() {
        return headers;
    }

    byte[] bytes() {
        return bytes;
    }

    int bodyStart() {
        return bodyStart;
    }

    int bodyLength() {
        return bytes.length - bodyStart;
    }

    /**
     * The same message with every lone LF turned into CRLF: for files written on a Unix
     * system (test corpora, {@code mailflow auth --message FILE}), never for queued mail,
     * which is CRLF already.
     */
    static byte[] withCrlfLineEnds(byte[] in) {
        if (crlfOnly(in)) {
            return in; // queued mail: no copy
        }
        var out = new ByteArrayOutputStream(in.length + in.length / 32);
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r')) {
                out.write('\r');
            }
            out.write(in[i]);
        }
        return out.toByteArray();
    }

    /** Whether every LF already follows a CR. */
    private static boolean crlfOnly(byte[] in) {
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r')) {
                return false;
            }
        }
        return true;
    }
}
