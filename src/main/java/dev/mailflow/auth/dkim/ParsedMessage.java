package dev.mailflow.auth.dkim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A received message split once into its header fields and body (RFC 5322 sections 2.1 and
 * 2.2, as {@link RawMessage} does it), for all the checks of one message: DKIM verification
 * (RFC 6376 6.1), ARC validation (RFC 8617 5.2) and the Author Domain of DMARC (RFC 9989
 * 5.3.1) read the same fields, which are split and named once instead of once per check.
 *
 * <p>The bytes are taken as they are: only CRLF ends a line. {@link #withCrlfLineEnds()} is
 * the same message with lone LF made CRLF (what ARC reads); for a message that has CRLF line
 * ends only, as every queued message has, it is this same object, not a second parse.
 *
 * <p>Immutable once made; the field list is built on first use.
 */
public final class ParsedMessage {

    private final RawMessage raw;
    private volatile List<ArcSignatures.Field> fields;
    private volatile ParsedMessage crlf;

    private ParsedMessage(RawMessage raw) {
        this.raw = raw;
    }

    /** @param message the message's bytes, not copied: they must not change afterwards */
    public static ParsedMessage of(byte[] message) {
        return new ParsedMessage(RawMessage.parse(message));
    }

    RawMessage raw() {
        return raw;
    }

    /** The header fields, top first, as received (name and raw text with folds and CRLF). */
    public List<ArcSignatures.Field> fields() {
        List<ArcSignatures.Field> f = fields;
        if (f == null) {
            var out = new ArrayList<ArcSignatures.Field>(raw.headers().size());
            for (HeaderField h : raw.headers()) {
                out.add(new ArcSignatures.Field(h.name(), h.raw()));
            }
            f = Collections.unmodifiableList(out);
            fields = f;
        }
        return f;
    }

    /** This message with every lone LF made CRLF: this same object when there is none. */
    public ParsedMessage withCrlfLineEnds() {
        ParsedMessage c = crlf;
        if (c == null) {
            byte[] converted = RawMessage.withCrlfLineEnds(raw.bytes());
            c = converted == raw.bytes() ? this : of(converted);
            crlf = c;
        }
        return c;
    }
}
