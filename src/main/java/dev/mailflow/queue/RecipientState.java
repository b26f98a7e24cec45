package dev.mailflow.queue;

import dev.mailflow.smtp.MailAddress;
import dev.mailflow.smtp.RcptParameters;
import java.time.Instant;

/**
 * Where one recipient of a queued message stands (style.md, principle 6). An alias expands
 * into several recipients that share the {@code original} address and DSN parameters.
 *
 * @param original       the address as given in RCPT TO
 * @param address        where it goes now (the original, or an alias target)
 * @param parameters     the DSN parameters of the original RCPT
 * @param status         pending, delivered, failed or expanded
 * @param enhancedStatus the RFC 3463 code of the last outcome, or null
 * @param diagnostic     the last outcome in words (a remote reply, or a local reason), or null
 * @param remoteMta      the remote server that gave the outcome, or null for local ones
 * @param updated        when the status last changed, or null
 * @param dsnPassedOn    delivered to a next hop that took over DSN duty (RFC 3461 4.2)
 */
public record RecipientState(MailAddress original, MailAddress address, RcptParameters parameters, Status status,
                             String enhancedStatus, String diagnostic, String remoteMta, Instant updated,
                             boolean dsnPassedOn) {

    public enum Status { PENDING, DELIVERED, FAILED, EXPANDED }

    public static RecipientState pending(EnvelopeRecipient r) {
        return new RecipientState(r.address(), r.address(), r.parameters(), Status.PENDING, null, null, null, null,
                false);
    }

    public boolean isFinal() {
        return status != Status.PENDING;
    }

    public RecipientState with(Status newStatus, DeliveryOutcome outcome, Instant when) {
        return new RecipientState(original, address, parameters, newStatus, outcome.enhancedStatus(),
                outcome.diagnostic(), outcome.remoteMta(), when,
                outcome instanceof DeliveryOutcome.Delivered d && d.dsnPassedOn());
    }

    public RecipientState retarget(MailAddress target) {
        return new RecipientState(original, target, parameters, Status.PENDING, null, null, null, null, false);
    }
}
