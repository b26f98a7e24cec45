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
     * Writes the canonical body of {@code message[start..end)} to {@code sink} (3.4.3, 3.4.4;
     * {@link BodyCanonicalizer} has the rules, and does the same for a body read in pieces).
     */
    void body(byte[] message, int start, int end, BodySink sink) {
        var canonicalizer = new BodyCanonicalizer(this, sink, end - start);
        canonicalizer.write(message, start, end - start);
        canonicalizer.finish();
    }

    /** Where the canonical body goes: a digest, counting what it is given. */
    interface BodySink {
        void write(byte[] b, int off, int len);
    }
}
