package dev.mailflow.queue;

/** The queue states, named once, as Postfix names its queue directories. */
public enum QueueState {
    INCOMING("incoming"), ACTIVE("active"), DEFERRED("deferred"), HOLD("hold"), CORRUPT("corrupt");

    private final String directory;

    QueueState(String directory) {
        this.directory = directory;
    }

    public String directory() {
        return directory;
    }
}
