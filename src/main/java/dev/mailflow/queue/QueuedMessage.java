package dev.mailflow.queue;

/** A committed message as the queue holds it: its state, envelope and delivery status. */
public record QueuedMessage(long id, QueueState state, Envelope envelope, DeliveryStatus status) {

    public QueuedMessage withStatus(QueueState newState, DeliveryStatus newStatus) {
        return new QueuedMessage(id, newState, envelope, newStatus);
    }
}
