package dev.mailflow.directory;

/**
 * The directory's store (a database, a directory server) cannot answer now, and the cache has
 * nothing fresh enough: the question must wait (451 4.3.0 at RCPT, 454 4.7.0 at AUTH, a
 * deferred delivery), never be answered "no".
 */
public final class DirectoryUnavailable extends RuntimeException {

    public DirectoryUnavailable(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
