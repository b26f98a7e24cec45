package dev.mailflow.milter;

/**
 * A milter that cannot be used for now: unreachable, too slow, closed the connection, or broke
 * the protocol. The message then gets the milter's default action, never lost.
 */
final class MilterException extends RuntimeException {
    MilterException(String message) {
        super(message);
    }

    MilterException(String message, Throwable cause) {
        super(message, cause);
    }
}
