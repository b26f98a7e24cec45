package dev.mailflow.queue;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The queue states, named once, as Postfix names its queue directories. */
public enum QueueState {
    /** Being received; not yet acknowledged. */
    INCOMING,
    /** Waiting for (or in) a delivery attempt now. */
    ACTIVE,
    /** A delivery attempt failed temporarily; waiting for the next attempt. */
    DEFERRED,
    /** Held (by the operator, or because it failed and no notice can be sent): not delivered until released. */
    HOLD,
    /** Its files could not be read; kept for the operator to look at. */
    CORRUPT;

    /** The states of an accepted message: what the queue lists and counts. */
    public static final List<QueueState> ACCEPTED = List.of(ACTIVE, DEFERRED, HOLD, CORRUPT);

    public String directory() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * One of the {@link #ACCEPTED} states by its name, in any case.
     *
     * @throws IllegalArgumentException naming the states there are
     */
    public static QueueState parse(String text) {
        for (var s : ACCEPTED) {
            if (s.directory().equalsIgnoreCase(text.strip())) {
                return s;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a queue state: use " + names());
    }

    /** "active, deferred, hold or corrupt". */
    public static String names() {
        var names = ACCEPTED.stream().map(QueueState::directory).toList();
        return names.subList(0, names.size() - 1).stream().collect(Collectors.joining(", ")) + " or "
                + names.get(names.size() - 1);
    }
}
