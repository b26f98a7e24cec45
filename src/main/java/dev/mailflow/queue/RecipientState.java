package dev.mailflow.queue;

import dev.mailflow.smtp.DsnNotify;
import dev.mailflow.smtp.EnhancedStatus;
import dev.mailflow.smtp.MailAddress;
import dev.mailflow.smtp.RcptParameters;
import java.time.Instant;
import java.util.EnumSet;

/**
 * Where one recipient of a queued message stands (style.md, principle 6): the last outcome,
 * as typed as {@link DeliveryOutcome} has it. An alias expands into several recipients that
 * share the {@code original} address and DSN parameters.
 *
 * <p>The status files of Mailflow 0.1.0 had a {@code diagnostic} string and a
 * {@code remoteMta} in place of {@code reason} and {@code remoteReply};
 * {@link RecipientStateJson} still reads them.
 *
 * @param original       the address as given in RCPT TO
 * @param address        where it goes now (the original, or an alias target)
 * @param parameters     the DSN parameters of the original RCPT
 * @param status         pending, delivered, failed or expanded
 * @param enhancedStatus the RFC 3463 code of the last outcome, or null before the first
 * @param reason         the last outcome in our words, or null before the first
 * @param remoteReply    the remote MTA's reply the last outcome rests on, or null
 * @param updated        when the status last changed, or null
 * @param dsnPassedOn    delivered to a next hop that took over DSN duty (RFC 3461 4.2)
 */
public record RecipientState(MailAddress original, MailAddress address, RcptParameters parameters, Status status,
                             EnhancedStatus enhancedStatus, String reason, RemoteReply remoteReply, Instant updated,
                             boolean dsnPassedOn) {

    public enum Status { PENDING, DELIVERED, FAILED, EXPANDED }

    public static RecipientState pending(EnvelopeRecipient r) {
        return new RecipientState(r.address(), r.address(), r.parameters(), Status.PENDING, null, null, null, null,
                false);
    }

    public boolean isFinal() {
        return status != Status.PENDING;
    }

    /** The recipient after an outcome: pending again after a Deferred, final after the others. */
    public RecipientState after(DeliveryOutcome outcome, Instant when) {
        Status next = switch (outcome) {
            case DeliveryOutcome.Delivered d -> Status.DELIVERED;
            case DeliveryOutcome.Deferred d -> Status.PENDING;
            case DeliveryOutcome.Failed f -> Status.FAILED;
            case DeliveryOutcome.Expanded x -> Status.EXPANDED;
        };
        return new RecipientState(original, address, parameters, next, outcome.status(), outcome.reason(),
                outcome.remoteReply(), when, outcome instanceof DeliveryOutcome.Delivered d && d.dsnPassedOn());
    }

    /** The last outcome on one line (reason, then the remote reply), or null before the first. */
    public String describe() {
        return reason == null ? null : DeliveryOutcome.describe(reason, remoteReply);
    }

    public RecipientState retarget(MailAddress target) {
        return new RecipientState(original, target, parameters, Status.PENDING, null, null, null, null, false);
    }

    /**
     * One of several targets of an alias (RFC 3461 5.2.7.3): the "expanded" DSN of the alias
     * stands for its success, so NOTIFY loses SUCCESS (NEVER when nothing else was asked).
     */
    public RecipientState retargetWithoutSuccessNotice(MailAddress target) {
        var notify = parameters.notifyOn();
        if (notify == null || !notify.contains(DsnNotify.SUCCESS)) {
            return retarget(target);
        }
        var rest = EnumSet.noneOf(DsnNotify.class);
        rest.addAll(notify);
        rest.remove(DsnNotify.SUCCESS);
        if (rest.isEmpty()) {
            rest.add(DsnNotify.NEVER);
        }
        return new RecipientState(original, target, new RcptParameters(rest, parameters.orcpt()), Status.PENDING,
                null, null, null, null, false);
    }
}
