package dev.mailflow.smtp;

import java.io.ByteArrayOutputStream;

/**
 * The sending side of RFC 5321 4.5.2: a dot at the start of a line is doubled and the data
 * ends with {@code <CRLF>.<CRLF>}. Content must use CRLF line endings; a missing final CRLF
 * is added.
 */
public final class DotStuffing {

    private DotStuffing() {
    }

    public static byte[] encode(byte[] content) {
        var out = new ByteArrayOutputStream(content.length + 64);
        boolean lineStart = true;
        for (byte b : content) {
            if (lineStart && b == '.') {
                out.write('.');
            }
            out.write(b);
            lineStart = b == '\n';
        }
        if (content.length > 0 && !lineStart) {
            out.write('\r');
            out.write('\n');
        }
        out.write('.');
        out.write('\r');
        out.write('\n');
        return out.toByteArray();
    }
}
