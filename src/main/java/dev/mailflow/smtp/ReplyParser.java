package dev.mailflow.smtp;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads replies from another server (RFC 5321 4.2): lines of {@code ddd-text} ending with
 * {@code ddd text}, each possibly opening with an RFC 3463 enhanced code. SECURITY: the peer
 * is untrusted; a malformed reply is reported, never thrown past the caller.
 */
public final class ReplyParser {

    private final List<String> lines = new ArrayList<>();
    private int code = -1;

    /** Thrown for a line that is not an SMTP reply line. */
    public static final class MalformedReply extends Exception {
        public MalformedReply(String message) {
            super(message);
        }
    }

    /**
     * Adds one line (without CRLF).
     *
     * @return the whole reply when this line was its last, else null
     */
    public Reply add(String line) throws MalformedReply {
        if (line.length() < 3 || !Character.isDigit(line.charAt(0)) || !Character.isDigit(line.charAt(1))
                || !Character.isDigit(line.charAt(2)) || (line.length() > 3 && line.charAt(3) != ' '
                && line.charAt(3) != '-')) {
            throw new MalformedReply("not an SMTP reply line: " + abbreviate(line));
        }
        int c = Integer.parseInt(line.substring(0, 3));
        if (c < 200 || c > 599) {
            throw new MalformedReply("reply code out of range: " + abbreviate(line));
        }
        if (code >= 0 && c != code) {
            throw new MalformedReply("reply lines with different codes: " + code + " then " + c);
        }
        code = c;
        lines.add(line.length() > 4 ? line.substring(4) : "");
        if (line.length() > 3 && line.charAt(3) == '-') {
            return null;
        }
        var reply = build(code, lines);
        lines.clear();
        code = -1;
        return reply;
    }

    /** Splits the enhanced code off each line when every line has one of the reply's class. */
    static Reply build(int code, List<String> texts) {
        EnhancedStatus status = null;
        var stripped = new ArrayList<String>(texts.size());
        for (String t : texts) {
            int space = t.indexOf(' ');
            String first = space < 0 ? t : t.substring(0, space);
            EnhancedStatus s = EnhancedStatus.parse(first);
            if (s == null || s.klass() != code / 100 || (status != null && !status.equals(s))) {
                return new Reply(code, null, texts.isEmpty() ? List.of("") : texts);
            }
            status = s;
            stripped.add(space < 0 ? "" : t.substring(space + 1));
        }
        return new Reply(code, status, stripped.isEmpty() ? List.of("") : stripped);
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
