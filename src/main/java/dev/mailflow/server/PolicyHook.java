package dev.mailflow.server;

import dev.mailflow.smtp.Command;

/**
 * A check a connector applies at each stage of a session, the stages of Postfix's smtpd
 * restrictions and of the milter protocol: connect, HELO, MAIL, RCPT and end of data (with the
 * header section, the whole content, and a way to add header fields). Hooks run in order; the
 * first verdict other than {@link PolicyVerdict.Next} (or {@link PolicyVerdict.Hold}, which
 * only marks the transaction) decides.
 */
public interface PolicyHook {

    /**
     * Before the greeting. A refusal is sent in place of the 220 greeting and the connection
     * closes (RFC 5321 3.1: 554, or 421 for a temporary refusal).
     */
    default PolicyVerdict onConnect(SessionInfo session) {
        return PolicyVerdict.NEXT;
    }

    /** At HELO or EHLO, with the name given; a refusal leaves the client without a greeting. */
    default PolicyVerdict onHelo(SessionInfo session, String name) {
        return PolicyVerdict.NEXT;
    }

    /** At MAIL; the transaction is the one MAIL opens, dropped when a hook refuses it. */
    default PolicyVerdict onMail(SessionInfo session, Transaction transaction, Command.Mail mail) {
        return PolicyVerdict.NEXT;
    }

    default PolicyVerdict onRcpt(SessionInfo session, Transaction transaction, Command.Rcpt rcpt) {
        return PolicyVerdict.NEXT;
    }

    /**
     * After the whole message arrived and before it is committed: a refusal here is the reply
     * to the end of data and nothing is queued.
     */
    default PolicyVerdict onEndOfData(SessionInfo session, Transaction transaction, ReceivedMessage message) {
        return PolicyVerdict.NEXT;
    }
}
