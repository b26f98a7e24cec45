package dev.mailflow.server;

import dev.mailflow.directory.Directory;
import dev.mailflow.queue.QueueStore;
import dev.mailflow.smtp.Command;
import dev.mailflow.smtp.Reply;
import java.util.List;

/** The standard policy hooks, and the list a connector applies. */
final class Policies {

    private Policies() {
    }

    /**
     * In order: the connection filter (DNS lists and reverse DNS: first, so that its notes
     * about the client are there for every other hook, and its refusals at RCPT come before
     * the recipients' acceptance), who may send (AUTH, send-as), what the transaction may be
     * (size, disk space), then the email authentication of strangers' mail (DNS lookups, so
     * after the cheap checks), the rate limits and greylisting ({@code limits}, before the
     * recipients' acceptance, which ends the RCPT stage) and the recipients; last the milters, in
     * their order, which see only what all of these let through (as Postfix's milters follow its
     * smtpd restrictions).
     */
    static List<PolicyHook> forConnector(ConnectorConfig connector, Directory directory, QueueStore store,
                                         long minFreeSpace, PolicyHook emailAuthentication,
                                         PolicyHook connectionFilter, List<PolicyHook> limits,
                                         List<PolicyHook> milters) {
        var hooks = new java.util.ArrayList<PolicyHook>(List.of(connectionFilter, new AuthenticationRequired(),
                new SendAs(directory), new SizeLimit(), new DiskSpace(store, minFreeSpace), emailAuthentication));
        hooks.addAll(limits);
        hooks.add(connector.simulation().on()
                ? new dev.mailflow.server.simulate.SimulationHook(directory, connector.simulation().mailbox())
                : new AcceptedRecipients(directory));
        hooks.addAll(milters);
        return List.copyOf(hooks);
    }

    /**
     * On a connector for authenticated clients (submission), the sender must be one of the
     * user's own addresses or aliases (Exchange's send-as rule, 550 5.7.60).
     */
    static final class SendAs implements PolicyHook {
        private final Directory directory;

        SendAs(Directory directory) {
            this.directory = directory;
        }

        @Override
        public PolicyVerdict onMail(SessionInfo session, Transaction transaction, Command.Mail mail) {
            String user = session.authenticatedUser();
            if (session.connector().anonymous() || user == null) {
                return PolicyVerdict.NEXT;
            }
            var sender = mail.sender();
            if (sender.isNullSender()) {
                return new PolicyVerdict.Reject(Reply.SEND_AS_DENIED, Check.SENDER, "send as " + sender);
            }
            var mailbox = directory.mailbox(sender);
            if (mailbox == null) {
                var alias = directory.alias(sender);
                if (alias != null && alias.targets().size() == 1) {
                    mailbox = directory.mailbox(alias.targets().get(0));
                }
            }
            if (mailbox == null || !mailbox.address().key().equals(
                    dev.mailflow.smtp.AddressParser.parseMailbox(user, true).key())) {
                return new PolicyVerdict.Reject(Reply.SEND_AS_DENIED, Check.SENDER, "send as " + sender);
            }
            return PolicyVerdict.NEXT;
        }
    }

    /** No new transaction while the queue's disk is short of room: 452 4.3.1 at MAIL. */
    static final class DiskSpace implements PolicyHook {
        private final QueueStore store;
        private final long minFreeSpace;

        /**
         * Free space this far above the minimum is believed for {@link #RECHECK_AFTER_NANOS}:
         * no statfs at every MAIL under load (4 GiB: more than a second of writes on a fast
         * disk). Nearer the minimum every MAIL asks.
         */
        static final long HEADROOM = 4L << 30;
        static final long RECHECK_AFTER_NANOS = 1_000_000_000L;

        private volatile long plentyUntil = System.nanoTime();

        DiskSpace(QueueStore store, long minFreeSpace) {
            this.store = store;
            this.minFreeSpace = minFreeSpace;
        }

        @Override
        public PolicyVerdict onMail(SessionInfo session, Transaction transaction, Command.Mail mail) {
            long now = System.nanoTime();
            if (now - plentyUntil < 0) {
                return PolicyVerdict.NEXT;
            }
            try {
                long free = store.usableSpace();
                if (free - minFreeSpace > HEADROOM) {
                    plentyUntil = now + RECHECK_AFTER_NANOS;
                }
                if (free < minFreeSpace) {
                    return new PolicyVerdict.TempFail(Reply.INSUFFICIENT_STORAGE, Check.RESOURCES, "queue disk space");
                }
            } catch (java.io.IOException e) {
                return new PolicyVerdict.TempFail(Reply.INSUFFICIENT_STORAGE, Check.RESOURCES, "queue disk space");
            }
            return PolicyVerdict.NEXT;
        }
    }

    /** The seeds' {@code 530 5.7.1 Client was not authenticated} on connectors without anonymous access. */
    static final class AuthenticationRequired implements PolicyHook {
        @Override
        public PolicyVerdict onMail(SessionInfo session, Transaction transaction, Command.Mail mail) {
            if (!session.connector().anonymous() && session.authenticatedUser() == null) {
                return new PolicyVerdict.Reject(Reply.NOT_AUTHENTICATED, Check.SENDER, "authentication required");
            }
            return PolicyVerdict.NEXT;
        }
    }

    /** RFC 1870: a declared SIZE over the connector's limit is refused at MAIL. */
    static final class SizeLimit implements PolicyHook {
        @Override
        public PolicyVerdict onMail(SessionInfo session, Transaction transaction, Command.Mail mail) {
            Long size = mail.parameters().size();
            if (size != null && size > session.connector().maxMessageSize()) {
                return new PolicyVerdict.Reject(Reply.MESSAGE_TOO_BIG, Check.SIZE, "declared SIZE=" + size);
            }
            return PolicyVerdict.NEXT;
        }
    }

    /**
     * Recipients must be ours: unknown users get {@code 550 5.1.1}, other domains are relay
     * and get {@code 550 5.7.54} unless the client authenticated or is in the connector's
     * {@code relay_from}.
     */
    static final class AcceptedRecipients implements PolicyHook {
        private final Directory directory;

        AcceptedRecipients(Directory directory) {
            this.directory = directory;
        }

        @Override
        public PolicyVerdict onRcpt(SessionInfo session, Transaction transaction, Command.Rcpt rcpt) {
            return switch (directory.lookup(rcpt.recipient())) {
                case MAILBOX, ALIAS, CATCH_ALL, POSTMASTER -> PolicyVerdict.ACCEPT;
                case UNKNOWN_USER -> new PolicyVerdict.Reject(Reply.USER_UNKNOWN, Check.RECIPIENT, "unknown user");
                case NOT_OURS -> session.authenticatedUser() != null
                        || session.connector().mayRelay(session.clientAddress()) ? PolicyVerdict.ACCEPT
                        : new PolicyVerdict.Reject(Reply.RELAY_DENIED, Check.RELAY, null);
            };
        }
    }
}
