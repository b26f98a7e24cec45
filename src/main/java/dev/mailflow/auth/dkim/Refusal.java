package dev.mailflow.auth.dkim;

/**
 * A signature or key check that ended in a verdict other than pass: the reason from the
 * catalogue and its details. Internal control flow only, without a stack trace; its words
 * are {@link DkimReason}'s, never a Java exception's.
 */
final class Refusal extends Exception {

    private final DkimReason reason;
    private final transient Object[] details;

    Refusal(DkimReason reason, Object... details) {
        super(reason.name(), null, false, false);
        this.reason = reason;
        this.details = details;
    }

    DkimReason reason() {
        return reason;
    }

    String explanation() {
        return reason.explain(details);
    }
}
