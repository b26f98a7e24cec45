package dev.mailflow.server;

import dev.mailflow.smtp.Command;

/**
 * A check a connector applies at each stage of a session, the stages of Postfix's smtpd
 * restrictions and of the milter protocol: connect, HELO, MAIL, RCPT and end of data (with the
 * header section, the whole content, and a way to add header fields). Hooks run in order; the
 * first verdict other than {@link PolicyVerdict.Next} (or {@link PolicyVerdict.Hold} and
 * {@link PolicyVerdict.Discard}, which only mark the transaction) decides.
 *
 * <p>A hook that keeps state for one connection (a milter's socket, counters) gives each
 * session its own instance through {@link #forSession}; the session then calls
 * {@link #onReset} when a transaction ends without a commit and {@link #onClose} at the end.
 * A refusal's {@link Check} is what the tracking log and the metrics record.
 */
public interface PolicyHook {

    /**
     * Whether this hook filters content (a milter): it then runs at every stage the policies
     * let through, even after a policy accepted ({@link PolicyVerdict.Accept} ends the policy
     * checks, not the filters), so that it sees the whole transaction.
     */
    default boolean contentFilter() {
        return false;
    }

    /**
     * The hook a new session uses, called once per connection before {@link #onConnect}:
     * this one when the hook keeps no per-connection state.
     */
    default PolicyHook forSession(SessionInfo session) {
        return this;
    }

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
     * At DATA, or at the first BDAT chunk, before any content is read: a refusal is the reply
     * to DATA (or to the chunk, which is then read and thrown away).
     */
    default PolicyVerdict onData(SessionInfo session, Transaction transaction) {
        return PolicyVerdict.NEXT;
    }

    /**
     * After the whole message arrived and before it is committed: a refusal here is the reply
     * to the end of data and nothing is queued.
     */
    default PolicyVerdict onEndOfData(SessionInfo session, Transaction transaction, ReceivedMessage message) {
        return PolicyVerdict.NEXT;
    }

    /**
     * The transaction ended without a commit: RSET, a new HELO or MAIL after a refusal, a
     * refusal at the end of data, STARTTLS, or the connection's end (the milter's abort).
     */
    default void onReset(SessionInfo session, Transaction transaction) {
    }

    /** The connection ended, however it ended; never throws. */
    default void onClose(SessionInfo session) {
    }
}
