package dev.mailflow.smtp;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Replies a filter (a milter) writes itself, read as Postfix reads them. */
public final class FilterReply {

    private static final Pattern ENHANCED = Pattern.compile("^([245])\\.(\\d{1,3})\\.(\\d{1,3})(?: |$)(.*)");

    private FilterReply() {
    }

    /**
     * A filter's own reply (the milter's replycode): one or more lines {@code 550 5.7.1 text},
     * continued with {@code 550-5.7.1 text} and CRLF; null unless it is a 4xx or 5xx reply. The
     * text is made printable ASCII, and an enhanced code of the wrong class is dropped.
     */
    public static Reply parse(String text) {
        if (text == null) {
            return null;
        }
        String[] raw = text.split("\r?\n");
        int code = -1;
        EnhancedStatus status = null;
        var lines = new ArrayList<String>();
        for (int i = 0; i < raw.length && lines.size() < 20; i++) {
            String line = raw[i].replace("\r", "").stripTrailing();
            if (line.length() < 3 || !line.substring(0, 3).chars().allMatch(Character::isDigit)
                    || line.length() > 3 && line.charAt(3) != ' ' && line.charAt(3) != '-') {
                return null;
            }
            int lineCode = Integer.parseInt(line.substring(0, 3));
            if (code < 0) {
                code = lineCode;
                if (code < 400 || code > 599) {
                    return null;
                }
            } else if (lineCode != code) {
                return null;
            }
            String rest = line.length() > 4 ? line.substring(4) : "";
            var m = ENHANCED.matcher(rest);
            if (m.matches()) {
                if (status == null && m.group(1).charAt(0) == (char) ('0' + code / 100)) {
                    status = EnhancedStatus.of(m.group(1) + "." + m.group(2) + "." + m.group(3));
                }
                rest = m.group(4);
            }
            lines.add(Reply.printable(rest));
        }
        if (code < 0) {
            return null;
        }
        if (status == null) {
            status = EnhancedStatus.of(code / 100 + ".7.1");
        }
        return new Reply(code, status, List.copyOf(lines));
    }
}
