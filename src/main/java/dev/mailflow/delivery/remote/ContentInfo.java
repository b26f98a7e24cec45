package dev.mailflow.delivery.remote;

import java.io.IOException;
import java.io.InputStream;

/**
 * What the content holds that matters for the next hop: 8-bit octets (8BITMIME), NUL or
 * lines over 998 octets or bare CR/LF (only BDAT carries those unchanged).
 */
record ContentInfo(boolean eightBit, boolean binary, int longestLine) {

    static ContentInfo scan(InputStream in) throws IOException {
        boolean eight = false;
        boolean binary = false;
        int line = 0;
        int longest = 0;
        int prev = -1;
        byte[] buf = new byte[16 * 1024];
        int n;
        while ((n = in.read(buf)) > 0) {
            for (int i = 0; i < n; i++) {
                int b = buf[i] & 0xff;
                if (b >= 0x80) {
                    eight = true;
                }
                if (b == 0 || (b == '\n' && prev != '\r') || (prev == '\r' && b != '\n')) {
                    binary = true;
                }
                if (b == '\n') {
                    longest = Math.max(longest, line - (prev == '\r' ? 1 : 0));
                    line = 0;
                } else {
                    line++;
                }
                prev = b;
            }
        }
        longest = Math.max(longest, line);
        return new ContentInfo(eight, binary, longest);
    }

    boolean needsBdat() {
        return binary || longestLine > 998;
    }
}
