package dev.mailflow.smtp;

import java.util.regex.Pattern;

/**
 * An RFC 3463 enhanced status code, {@code class.subject.detail}, for instance 5.1.1.
 *
 * @param klass   2 (success), 4 (persistent transient failure) or 5 (permanent failure)
 * @param subject 0 to 7 in RFC 3463; the IANA registry may grow it
 * @param detail  0 to 999
 */
public record EnhancedStatus(int klass, int subject, int detail) {

    private static final Pattern SYNTAX = Pattern.compile("([245])\\.(\\d{1,3})\\.(\\d{1,3})");

    public EnhancedStatus {
        if (klass != 2 && klass != 4 && klass != 5) {
            throw new IllegalArgumentException("class must be 2, 4 or 5: " + klass);
        }
        if (subject < 0 || subject > 999 || detail < 0 || detail > 999) {
            throw new IllegalArgumentException("subject and detail must be 0..999");
        }
    }

    /** Parses "5.1.1"; returns null when the text is not an enhanced status code. */
    public static EnhancedStatus parse(String text) {
        var m = SYNTAX.matcher(text);
        if (!m.matches()) {
            return null;
        }
        return new EnhancedStatus(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3)));
    }

    static EnhancedStatus of(String text) {
        var parsed = parse(text);
        if (parsed == null) {
            throw new IllegalArgumentException("not an enhanced status code: " + text);
        }
        return parsed;
    }

    @Override
    public String toString() {
        return klass + "." + subject + "." + detail;
    }
}
