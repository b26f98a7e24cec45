package dev.mailflow.queue;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/** What the scheduler calls to deliver a message: local delivery, remote delivery, or both. */
public interface DeliveryAgent {

    /** Opens the message content; each call gives a new stream from the start. */
    interface Content {
        InputStream open() throws IOException;
    }

    /**
     * Attempts delivery to the given recipients of a message.
     *
     * @param pending        indexes into {@code message.status().recipients()} to attempt
     * @param mayBeDelivered true when an earlier attempt may have delivered some copies
     *                       already (after a crash): the agent must not deliver them twice
     * @return an outcome for every index in {@code pending}
     */
    Map<Integer, DeliveryOutcome> deliver(QueuedMessage message, List<Integer> pending, Content content,
                                          boolean mayBeDelivered);

    /**
     * Makes every delivery reported so far durable (for Maildir: the fsync of the {@code new/}
     * directories written to). The scheduler calls it before it removes a message or records
     * a recipient as delivered, so one call covers many deliveries (group commit).
     */
    default void sync() throws IOException {
    }

    /**
     * Told when a message is done with: every recipient delivered, failed or expanded (DSNs).
     *
     * @return true to remove it from the queue, false to keep it on hold for the operator
     */
    default boolean finished(QueuedMessage message, Content content) {
        return true;
    }

    /**
     * Told after a failed attempt when the message has waited longer than the delay warning
     * and no delay notice went out yet; returns the message as it is now (marked warned).
     */
    default QueuedMessage delayed(QueuedMessage message, Content content) {
        return message;
    }
}
