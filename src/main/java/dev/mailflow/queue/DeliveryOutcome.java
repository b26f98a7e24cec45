package dev.mailflow.queue;

import dev.mailflow.smtp.MailAddress;
import java.util.List;

/**
 * The result of one delivery attempt for one recipient (style.md, principle 6). Errors of
 * unknown kind are temporary: an agent that cannot tell returns {@link Deferred}.
 */
public sealed interface DeliveryOutcome {

    /** RFC 3463 code such as 2.0.0, 4.2.2 or 5.1.1. */
    String enhancedStatus();

    /** What happened, in words: a remote reply line, or a local reason. */
    String diagnostic();

    /** The remote MTA that answered, or null for local delivery. */
    default String remoteMta() {
        return null;
    }

    /**
     * Delivered to a mailbox, or handed to the next hop.
     *
     * @param dsnPassedOn true when the next hop offered DSN and took over the duty of
     *                    notifying (RFC 3461 4.2): no success DSN from us then
     */
    record Delivered(String enhancedStatus, String diagnostic, String remoteMta, boolean dsnPassedOn)
            implements DeliveryOutcome {
        public Delivered(String diagnostic) {
            this("2.0.0", diagnostic, null, false);
        }

        public Delivered(String enhancedStatus, String diagnostic, String remoteMta) {
            this(enhancedStatus, diagnostic, remoteMta, false);
        }
    }

    record Deferred(String enhancedStatus, String diagnostic, String remoteMta) implements DeliveryOutcome {
        public Deferred(String enhancedStatus, String diagnostic) {
            this(enhancedStatus, diagnostic, null);
        }
    }

    record Failed(String enhancedStatus, String diagnostic, String remoteMta) implements DeliveryOutcome {
        public Failed(String enhancedStatus, String diagnostic) {
            this(enhancedStatus, diagnostic, null);
        }
    }

    /** An alias: the recipient is replaced by these addresses. */
    record Expanded(List<MailAddress> targets) implements DeliveryOutcome {
        public Expanded {
            targets = List.copyOf(targets);
        }

        public String enhancedStatus() {
            return "2.1.5";
        }

        public String diagnostic() {
            return "expanded to " + targets.size() + " recipient(s)";
        }
    }
}
