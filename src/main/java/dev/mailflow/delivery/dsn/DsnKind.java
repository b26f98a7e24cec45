package dev.mailflow.delivery.dsn;

/** The three reports, with the words of their first part and Subject. */
public enum DsnKind {
    FAILURE("Undeliverable", "Delivery has failed to these recipients or groups:"),
    DELAY("Delivery delayed", "Delivery is delayed to these recipients or groups:"),
    SUCCESS("Delivered", "Your message has been delivered to the following recipients:");

    private final String subjectPrefix;
    private final String opening;

    DsnKind(String subjectPrefix, String opening) {
        this.subjectPrefix = subjectPrefix;
        this.opening = opening;
    }

    public String subjectPrefix() {
        return subjectPrefix;
    }

    public String opening() {
        return opening;
    }
}
