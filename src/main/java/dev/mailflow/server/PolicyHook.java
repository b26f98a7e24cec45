package dev.mailflow.server;

import dev.mailflow.smtp.Command;

/**
 * A check a connector applies to MAIL and RCPT before the server proceeds. Hooks run in
 * order; the first verdict other than {@link PolicyVerdict.Next} decides.
 */
public interface PolicyHook {

    default PolicyVerdict onMail(SessionInfo session, Command.Mail mail) {
        return PolicyVerdict.NEXT;
    }

    default PolicyVerdict onRcpt(SessionInfo session, Transaction transaction, Command.Rcpt rcpt) {
        return PolicyVerdict.NEXT;
    }
}
