package dev.mailflow.auth.spf;

/**
 * A syntax error in an SPF record or macro string (RFC 7208 4.6, 7.1, 12). The message is
 * written for the person who publishes the record; it holds no Java detail.
 */
final class SpfSyntaxException extends Exception {

    SpfSyntaxException(String message) {
        super(message, null, false, false);
    }
}
