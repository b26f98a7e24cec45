package dev.mailflow.queue;

import java.util.Locale;

/** The queue states, named once, as Postfix names its queue directories. */
public enum QueueState {
    /** Being received; not yet acknowledged. */
    INCOMING,
    /** Waiting for (or in) a delivery attempt now. */
    ACTIVE,
    /** A delivery attempt failed temporarily; waiting for the next attempt. */
    DEFERRED,
    /** Held by the operator: not delivered until released. */
    HOLD,
    /** Its files could not be read; kept for the operator to look at. */
    CORRUPT;

    public String directory() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static QueueState parse(String text) {
        return valueOf(text.toUpperCase(Locale.ROOT));
    }
}
