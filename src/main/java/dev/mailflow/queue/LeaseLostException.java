package dev.mailflow.queue;

import java.io.IOException;

/**
 * A write to a shared queue by a node that no longer holds the message's lease (it stalled
 * past it, and another node claimed the message): the write is refused and the result dropped;
 * the newer owner's stands.
 */
public final class LeaseLostException extends IOException {

    public LeaseLostException(long id, String detail) {
        super("message " + id + ": " + detail);
    }
}
