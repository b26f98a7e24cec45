package dev.mailflow.smtp;

import java.util.regex.Pattern;

/**
 * An RFC 3463 enhanced status code, {@code class.subject.detail}, for instance 5.1.1, as a
 * value whose class is checked (RFC 3463 2: 2 success, 4 persistent transient failure, 5
 * permanent failure). {@link StatusCatalogue} says what each one means.
 *
 * <p>The class of a reply's enhanced code must agree with the class of its reply code
 * (RFC 3463 2, RFC 2034 3). When a peer's reply disagrees with itself, as {@code 450 5.1.1},
 * the reply code wins, as it does in Postfix's SMTP client ({@code smtp_chat.c}): the
 * enhanced code is ignored and the status is the generic {@code 4.0.0} of the reply code's
 * class ({@link #ofReply}).
 *
 * @param klass   2 (success), 4 (persistent transient failure) or 5 (permanent failure)
 * @param subject 0 to 7 in RFC 3463; the IANA registry may grow it
 * @param detail  0 to 999
 */
public record EnhancedStatus(int klass, int subject, int detail) {

    private static final Pattern SYNTAX = Pattern.compile("([245])\\.(\\d{1,3})\\.(\\d{1,3})");

    public static final int SUCCESS = 2;
    public static final int TRANSIENT = 4;
    public static final int PERMANENT = 5;

    public EnhancedStatus {
        if (klass != SUCCESS && klass != TRANSIENT && klass != PERMANENT) {
            throw new IllegalArgumentException("class must be 2, 4 or 5: " + klass);
        }
        if (subject < 0 || subject > 999 || detail < 0 || detail > 999) {
            throw new IllegalArgumentException("subject and detail must be 0..999");
        }
    }

    /** Parses "5.1.1"; returns null when the text is not an enhanced status code. */
    public static EnhancedStatus parse(String text) {
        if (text == null) {
            return null;
        }
        var m = SYNTAX.matcher(text);
        if (!m.matches()) {
            return null;
        }
        return new EnhancedStatus(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3)));
    }

    /** "5.1.1" as a value, for the codes written in our own code; fails loudly on a typo. */
    public static EnhancedStatus of(String text) {
        var parsed = parse(text);
        if (parsed == null) {
            throw new IllegalArgumentException("not an enhanced status code: " + text);
        }
        return parsed;
    }

    /**
     * The status a reply stands for: its own enhanced code when that has the reply code's
     * class, else the generic {@code X.0.0} of the reply code's class (the reply code wins).
     *
     * @param code  a reply code
     * @param given the enhanced code the reply carried, or null
     * @return the status, or null for a 3xx reply, which has no status class
     */
    public static EnhancedStatus ofReply(int code, EnhancedStatus given) {
        int k = code / 100;
        if (k != SUCCESS && k != TRANSIENT && k != PERMANENT) {
            return null;
        }
        if (given != null && given.klass == k) {
            return given;
        }
        return new EnhancedStatus(k, 0, 0);
    }

    public boolean isSuccess() {
        return klass == SUCCESS;
    }

    public boolean isTransient() {
        return klass == TRANSIENT;
    }

    public boolean isPermanent() {
        return klass == PERMANENT;
    }

    /** The same subject and detail in another class: 4.2.2 becomes 5.2.2 when a wait ends. */
    public EnhancedStatus withClass(int newClass) {
        return new EnhancedStatus(newClass, subject, detail);
    }

    @Override
    public String toString() {
        return klass + "." + subject + "." + detail;
    }
}
