package dev.mailflow.auth.dkim;

/**
 * Writes a header field folded at 78 columns (RFC 5322 section 2.1.1: lines SHOULD be at most
 * 78 characters), breaking only where DKIM allows whitespace: between tags, around the colons
 * of h=, and anywhere inside a base64 value (RFC 6376 section 3.5). A fold is CRLF SP.
 */
final class HeaderFolder {

    static final int WIDTH = 78;

    private final StringBuilder out = new StringBuilder();
    private int column;

    HeaderFolder(String start) {
        out.append(start);
        column = start.length();
    }

    /** A piece that must not be broken, after a space when {@code space}, or folded before. */
    HeaderFolder word(String s, boolean space) {
        int need = s.length() + (space ? 1 : 0);
        if (column + need > WIDTH && column > 1) {
            out.append("\r\n ");
            column = 1;
        } else if (space) {
            out.append(' ');
            column++;
        }
        out.append(s);
        column += s.length();
        return this;
    }

    /** Characters that may be broken anywhere (base64), continuing the current line. */
    HeaderFolder breakable(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (column >= WIDTH) {
                out.append("\r\n ");
                column = 1;
            }
            out.append(s.charAt(i));
            column++;
        }
        return this;
    }

    String text() {
        return out.toString();
    }
}
