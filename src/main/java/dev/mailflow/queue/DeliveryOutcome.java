package dev.mailflow.queue;

import dev.mailflow.smtp.EnhancedStatus;
import dev.mailflow.smtp.MailAddress;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The result of one delivery attempt for one recipient (style.md, principle 6), kept as
 * Postfix's {@code dsn_buf} keeps it: a status whose class is checked, our own reason in
 * words, and, apart from it, the remote MTA's reply when one answered. Retries, tracking,
 * the queue listing and DSNs all read it.
 *
 * <p>Errors of unknown kind are temporary: an agent that cannot tell returns {@link Deferred}.
 * The records refuse a status of the wrong class when they are made (a Deferred never carries
 * a 5.x.x, a Failed never a 2.x.x or 4.x.x, a Delivered always a 2.x.x), so a mistake shows
 * at once in code, not in a DSN.
 */
public sealed interface DeliveryOutcome {

    /** RFC 3463 status of the outcome. */
    EnhancedStatus status();

    /** What happened, in our words (never Java's); for a reply, what it answered. */
    String reason();

    /** The remote MTA's reply this outcome rests on, or null when none answered (local, DNS, connection). */
    RemoteReply remoteReply();

    /** The same outcome with {@code context} (such as the send connector used) in front of its reason. */
    DeliveryOutcome within(String context);

    /** One line for logs, tracking and the queue listing: the reason, then the reply. */
    default String describe() {
        return describe(reason(), remoteReply());
    }

    /** A reason and the reply it rests on, on one line: {@code <reason>: 550 5.1.1 <text>}. */
    static String describe(String reason, RemoteReply reply) {
        return reply == null ? reason : reason + ": " + reply.text();
    }

    /**
     * Delivered to a mailbox, or handed to the next hop.
     *
     * @param dsnPassedOn true when the next hop offered DSN and took over the duty of
     *                    notifying (RFC 3461 4.2): no success DSN from us then
     * @param tls         for mail sent to another server: the TLS it went over, and under which
     *                    policy; null for a local delivery
     */
    record Delivered(EnhancedStatus status, String reason, RemoteReply remoteReply, boolean dsnPassedOn,
                     TlsSummary tls) implements DeliveryOutcome {
        public Delivered {
            check(status, EnhancedStatus.SUCCESS, "Delivered", reason);
        }

        public Delivered(EnhancedStatus status, String reason, RemoteReply remoteReply, boolean dsnPassedOn) {
            this(status, reason, remoteReply, dsnPassedOn, null);
        }

        /** Delivered here, to a mailbox. */
        public Delivered(String reason) {
            this(DeliveryCodes.DELIVERED, reason, null, false);
        }

        @Override
        public Delivered within(String context) {
            return new Delivered(status, context + reason, remoteReply, dsnPassedOn, tls);
        }
    }

    /** Not delivered yet: tried again later, until the queue lifetime ends. */
    record Deferred(EnhancedStatus status, String reason, RemoteReply remoteReply) implements DeliveryOutcome {
        public Deferred {
            check(status, EnhancedStatus.TRANSIENT, "Deferred", reason);
        }

        public Deferred(EnhancedStatus status, String reason) {
            this(status, reason, null);
        }

        @Override
        public Deferred within(String context) {
            return new Deferred(status, context + reason, remoteReply);
        }
    }

    /** Never to be delivered: the sender gets a failure DSN. */
    record Failed(EnhancedStatus status, String reason, RemoteReply remoteReply) implements DeliveryOutcome {
        public Failed {
            check(status, EnhancedStatus.PERMANENT, "Failed", reason);
        }

        public Failed(EnhancedStatus status, String reason) {
            this(status, reason, null);
        }

        @Override
        public Failed within(String context) {
            return new Failed(status, context + reason, remoteReply);
        }
    }

    /** An alias: the recipient is replaced by these addresses. */
    record Expanded(List<MailAddress> targets) implements DeliveryOutcome {
        public Expanded {
            targets = List.copyOf(targets);
        }

        @Override
        public EnhancedStatus status() {
            return DeliveryCodes.EXPANDED;
        }

        @Override
        public String reason() {
            return "expanded to " + targets.stream().map(MailAddress::toString).collect(Collectors.joining(", "));
        }

        @Override
        public RemoteReply remoteReply() {
            return null;
        }

        @Override
        public Expanded within(String context) {
            return this;
        }
    }

    private static void check(EnhancedStatus status, int klass, String what, String reason) {
        Objects.requireNonNull(status, "status");
        if (status.klass() != klass) {
            throw new IllegalArgumentException("a " + what + " outcome carries a " + klass + ".x.x status, not "
                    + status);
        }
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("a " + what + " outcome needs a reason");
        }
    }
}
