package dev.mailflow.server;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The header section of a message read off its content (RFC 5322 2.2): the fields, each with
 * its folded lines and final line end, and whether an empty line ended it. The stream is left at
 * the first octet of the body. A line that is neither a field nor a continuation ends the
 * header section there: it is body, as RFC 5322 would read it.
 */
public record HeaderSection(List<Field> fields, boolean separated) {

    /** No field may be longer than this; a longer one ends the header section (it is body). */
    public static final int MAX_FIELD = 1 << 20;

    /** One field's octets, folding and final line end included. */
    public record Field(byte[] raw) {
        public Field(String text) {
            this((text.endsWith("\r\n") ? text : text + "\r\n").getBytes(StandardCharsets.UTF_8));
        }

        /** The name, as it is written (before the colon). */
        public String name() {
            for (int i = 0; i < raw.length; i++) {
                if (raw[i] == ':') {
                    return new String(raw, 0, i, StandardCharsets.US_ASCII).strip();
                }
            }
            return "";
        }

        public boolean is(String name) {
            return name().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT));
        }

        /** What follows the colon, its folds as they are, without the final line end. */
        public String value() {
            int colon = 0;
            while (colon < raw.length && raw[colon] != ':') {
                colon++;
            }
            int end = raw.length;
            if (end > 0 && raw[end - 1] == '\n') {
                end--;
                if (end > colon && raw[end - 1] == '\r') {
                    end--;
                }
            }
            return colon + 1 >= end ? "" : new String(raw, colon + 1, end - colon - 1, StandardCharsets.UTF_8);
        }
    }

    public static HeaderSection read(BufferedInputStream in) throws IOException {
        var fields = new ArrayList<Field>();
        ByteArrayOutputStream field = null;
        boolean separated = false;
        while (true) {
            in.mark(MAX_FIELD + 1);
            byte[] line = readLine(in);
            if (line == null) {
                break;
            }
            if (line.length == 2 && line[0] == '\r' && line[1] == '\n' || line.length == 1 && line[0] == '\n') {
                separated = true;
                break;
            }
            boolean continuation = line[0] == ' ' || line[0] == '\t';
            if (continuation && field != null && field.size() + line.length <= MAX_FIELD) {
                field.write(line);
                continue;
            }
            if (!continuation && line.length <= MAX_FIELD && isFieldStart(line)) {
                if (field != null) {
                    fields.add(new Field(field.toByteArray()));
                }
                field = new ByteArrayOutputStream();
                field.write(line);
                continue;
            }
            in.reset();
            break;
        }
        if (field != null) {
            fields.add(new Field(field.toByteArray()));
        }
        return new HeaderSection(fields, separated);
    }

    private static byte[] readLine(InputStream in) throws IOException {
        var line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            line.write(b);
            if (b == '\n' || line.size() > MAX_FIELD) {
                break;
            }
        }
        return line.size() == 0 ? null : line.toByteArray();
    }

    private static boolean isFieldStart(byte[] line) {
        for (int i = 0; i < line.length; i++) {
            byte b = line[i];
            if (b == ':') {
                return i > 0;
            }
            if (b <= 32 || b >= 127) {
                return false;
            }
        }
        return false;
    }
}
