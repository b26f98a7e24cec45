package dev.mailflow.queue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The mutable part of a queued message: per-recipient states and the retry bookkeeping.
 *
 * @param version      grows with every write, so recovery can tell the newest of two copies
 * @param attempts     delivery attempts made so far
 * @param nextAttempt  when the scheduler tries again, or null for now
 * @param lastError    the last temporary failure in words, or null
 * @param delayWarned  whether a delay DSN was sent
 * @param holdReason   why the message is on hold, in words, or null when it is not
 */
public record DeliveryStatus(long version, int attempts, Instant lastAttempt, Instant nextAttempt, String lastError,
                             boolean delayWarned, List<RecipientState> recipients, String holdReason) {

    public DeliveryStatus {
        recipients = List.copyOf(recipients);
    }

    /** A newly received message: every recipient pending. */
    public static DeliveryStatus initial(Envelope envelope) {
        var list = new ArrayList<RecipientState>();
        for (var r : envelope.recipients()) {
            list.add(RecipientState.pending(r));
        }
        return new DeliveryStatus(0, 0, null, null, null, false, list, null);
    }

    public boolean allFinal() {
        return recipients.stream().allMatch(RecipientState::isFinal);
    }

    public long pendingCount() {
        return recipients.stream().filter(r -> !r.isFinal()).count();
    }

    public DeliveryStatus withRecipients(List<RecipientState> list) {
        return new DeliveryStatus(version, attempts, lastAttempt, nextAttempt, lastError, delayWarned, list,
                holdReason);
    }

    public DeliveryStatus scheduled(int attempts, Instant last, Instant next, String error) {
        return new DeliveryStatus(version, attempts, last, next, error, delayWarned, recipients, holdReason);
    }

    public DeliveryStatus retryNow() {
        return new DeliveryStatus(version, attempts, lastAttempt, null, lastError, delayWarned, recipients,
                holdReason);
    }

    public DeliveryStatus withDelayWarned() {
        return new DeliveryStatus(version, attempts, lastAttempt, nextAttempt, lastError, true, recipients,
                holdReason);
    }

    /** On hold, for this reason. */
    public DeliveryStatus held(String reason) {
        return new DeliveryStatus(version, attempts, lastAttempt, null, lastError, delayWarned, recipients, reason);
    }

    /**
     * Released from hold, to be tried now. When nothing was left to deliver (a notice kept on
     * hold because it failed), its failed recipients are tried again: that is what releasing
     * it asks for.
     */
    public DeliveryStatus released() {
        var list = allFinal() ? recipients.stream()
                .map(r -> r.status() == RecipientState.Status.FAILED ? r.retarget(r.address()) : r).toList()
                : recipients;
        return new DeliveryStatus(version, attempts, lastAttempt, null, lastError, delayWarned, list, null);
    }

    DeliveryStatus nextVersion() {
        return new DeliveryStatus(version + 1, attempts, lastAttempt, nextAttempt, lastError, delayWarned, recipients,
                holdReason);
    }
}
