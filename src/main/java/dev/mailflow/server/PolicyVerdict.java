package dev.mailflow.server;

import dev.mailflow.smtp.Reply;
import java.util.Objects;

/**
 * What a policy hook decides about a command (style.md, principle 4, after James's
 * HookReturnCode). {@link Next} lets the following hook decide.
 */
public sealed interface PolicyVerdict {

    record Accept() implements PolicyVerdict {
    }

    record Next() implements PolicyVerdict {
    }

    /**
     * A refusal: what the client is told, and which check refused (for the tracking log, the
     * metrics and the console).
     */
    sealed interface Refusal extends PolicyVerdict {
        Reply reply();

        /** The check that refused, or {@link Check#OTHER}. */
        Check check();

        /** Which list, limit or filter, in words; may be null. */
        String detail();

        /** The check and its detail, as the tracking log records them: {@code dnsbl zen.example}. */
        default String describe() {
            return detail() == null || detail().isEmpty() ? check().word() : check().word() + " " + detail();
        }
    }

    /** A permanent refusal (5xx). */
    record Reject(Reply reply, Check check, String detail) implements Refusal {
        public Reject {
            Objects.requireNonNull(reply);
            check = check == null ? Check.OTHER : check;
        }
    }

    /** A temporary refusal (4xx). */
    record TempFail(Reply reply, Check check, String detail) implements Refusal {
        public TempFail {
            Objects.requireNonNull(reply);
            check = check == null ? Check.OTHER : check;
        }
    }

    /** Reply, then close the connection. */
    record Disconnect(Reply reply, Check check, String detail) implements Refusal {
        public Disconnect {
            Objects.requireNonNull(reply);
            check = check == null ? Check.OTHER : check;
        }
    }

    /**
     * Accept the message with a 250 but deliver it to no one (the milter's discard): at MAIL
     * or RCPT it marks the transaction, and the following hooks still run.
     *
     * @param reason who discarded it and why, for the tracking log
     */
    record Discard(String reason) implements PolicyVerdict {
        public Discard {
            Objects.requireNonNull(reason);
        }
    }

    /**
     * Accept the message, but into the hold queue (quarantine) for the operator to release or
     * delete; the following hooks still run. At connect and HELO it means nothing.
     *
     * @param reason why, in words, as {@code mailflow queue list} shows it
     */
    record Hold(String reason) implements PolicyVerdict {
        public Hold {
            Objects.requireNonNull(reason);
        }
    }

    PolicyVerdict ACCEPT = new Accept();
    PolicyVerdict NEXT = new Next();
}
