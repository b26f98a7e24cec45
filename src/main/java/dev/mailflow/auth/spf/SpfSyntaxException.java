package dev.mailflow.auth.spf;

/**
 * A syntax error in an SPF record or macro string (RFC 7208 4.6, 7.1, 12). The message is
 * written for the person who publishes the record; it holds no Java detail.
 */
final class SpfSyntaxException extends Exception {

    /** Where in the record the bad term starts (1 is the first character), or 0 when not known. */
    final int position;

    SpfSyntaxException(String message) {
        this(message, 0);
    }

    SpfSyntaxException(String message, int position) {
        super(message, null, false, false);
        this.position = position;
    }
}
