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

    /** A permanent refusal (5xx). */
    record Reject(Reply reply) implements PolicyVerdict {
    }

    /** A temporary refusal (4xx). */
    record TempFail(Reply reply) implements PolicyVerdict {
    }

    /** Reply, then close the connection. */
    record Disconnect(Reply reply) implements PolicyVerdict {
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
