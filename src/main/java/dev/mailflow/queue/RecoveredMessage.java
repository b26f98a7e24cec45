package dev.mailflow.queue;

import java.time.Instant;

/**
 * What the scheduler needs of a message found at start: its id, its state and, when deferred,
 * its next attempt. The envelope stays in the store until the message is attempted, so that a
 * large deferred queue comes back without reading every queue file (docs/performance.md,
 * "Queue growth").
 */
public record RecoveredMessage(long id, QueueState state, Instant nextAttempt) {

    static RecoveredMessage of(QueuedMessage m) {
        return new RecoveredMessage(m.id(), m.state(), m.status().nextAttempt());
    }
}
