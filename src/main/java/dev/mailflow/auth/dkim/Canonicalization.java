package dev.mailflow.auth.dkim;

import java.util.Locale;
import java.util.Optional;

/**
 * The two canonicalization algorithms of RFC 6376 section 3.4, for header fields (3.4.1,
 * 3.4.2) and for the body (3.4.3, 3.4.4). The body is written to a {@link BodySink} as it is
 * canonicalized, so a large message is never copied.
 */
enum Canonicalization {

    /** 3.4.1 and 3.4.3: nothing changes but trailing empty lines of the body. */
    SIMPLE("simple"),
    /** 3.4.2 and 3.4.4: whitespace runs become one space, folds are undone, names lowercased. */
    RELAXED("relaxed");

    private final String tag;

    Canonicalization(String tag) {
        this.tag = tag;
    }

    /** The name in the c= tag. */
    String tag() {
        return tag;
    }

    static Optional<Canonicalization> fromTag(String s) {
        for (Canonicalization c : values()) {
            if (c.tag.equals(s.toLowerCase(Locale.ROOT))) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** A header field in canonical form, ending in CRLF (3.4.1, 3.4.2). */
    String header(HeaderField field) {
        String raw = field.raw();
        if (this == SIMPLE) {
            return raw.endsWith("\r\n") ? raw : raw + "\r\n";
        }
        var sb = new StringBuilder(raw.length());
        sb.append(field.name().toLowerCase(Locale.ROOT)).append(':');
        String value = field.value();
        // Unfold (delete CRLF), turn each WSP run into one SP, then drop WSP at both ends.
        boolean space = false;
        boolean first = true;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' && i + 1 < value.length() && value.charAt(i + 1) == '\n') {
                i++;
                continue;
            }
            if (c == ' ' || c == '\t') {
                space = true;
                continue;
            }
            if (space && !first) {
                sb.append(' ');
            }
            space = false;
            first = false;
            sb.append(c);
        }
        return sb.append("\r\n").toString();
    }

    /**
     * Writes the canonical body of {@code message[start..end)} to {@code sink}: 3.4.3 drops
     * trailing empty lines and makes an empty body one CRLF; 3.4.4 also ignores WSP at line
     * ends and turns WSP runs into one SP, and leaves an empty body empty. A last line
     * without CRLF gets one.
     */
    void body(byte[] message, int start, int end, BodySink sink) {
        if (this == SIMPLE) {
            int e = end;
            while (e - start >= 4 && message[e - 4] == '\r' && message[e - 3] == '\n' && message[e - 2] == '\r'
                    && message[e - 1] == '\n') {
                e -= 2;
            }
            sink.write(message, start, e - start);
            if (e - start < 2 || !(message[e - 2] == '\r' && message[e - 1] == '\n')) {
                sink.write(CRLF, 0, 2);
            }
            return;
        }
        byte[] line = new byte[256];
        int pendingEmptyLines = 0;
        int pos = start;
        while (pos < end) {
            int len = 0;
            boolean space = false;
            int i = pos;
            for (; i < end; i++) {
                byte b = message[i];
                if (b == '\r' && i + 1 < end && message[i + 1] == '\n') {
                    break;
                }
                if (b == ' ' || b == '\t') {
                    space = true;
                    continue;
                }
                if (len + 2 > line.length) {
                    line = java.util.Arrays.copyOf(line, line.length * 2);
                }
                if (space) {
                    line[len++] = ' ';
                    space = false;
                }
                line[len++] = b;
            }
            pos = i + 2; // past the CRLF (or past the end for a last line without one)
            if (len == 0) {
                pendingEmptyLines++;
                continue;
            }
            for (; pendingEmptyLines > 0; pendingEmptyLines--) {
                sink.write(CRLF, 0, 2);
            }
            sink.write(line, 0, len);
            sink.write(CRLF, 0, 2);
        }
    }

    private static final byte[] CRLF = {'\r', '\n'};

    /** Where the canonical body goes: a digest, counting what it is given. */
    interface BodySink {
        void write(byte[] b, int off, int len);
    }
}
