package dev.mailflow.delivery;

import dev.mailflow.delivery.local.LocalDelivery;
import dev.mailflow.directory.Directory;
import dev.mailflow.queue.DeliveryAgent;
import dev.mailflow.queue.DeliveryCodes;
import dev.mailflow.queue.DeliveryOutcome;
import dev.mailflow.queue.QueuedMessage;
import dev.mailflow.smtp.MailAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides, for each recipient, where a message goes: a mailbox of ours (Maildir or LMTP), an alias
 * or catch-all to expand, or another server (remote delivery).
 */
public final class Router implements DeliveryAgent {

    /** Delivery to other servers; until it is configured, such recipients wait. */
    public interface Remote {
        Map<Integer, DeliveryOutcome> deliver(QueuedMessage message, List<Integer> recipients, Content content);
    }

    private final Directory directory;
    private final LocalDelivery local;
    private final Remote remote;
    private final dev.mailflow.delivery.dsn.DsnService dsn;

    public Router(Directory directory, LocalDelivery local, Remote remote, dev.mailflow.delivery.dsn.DsnService dsn) {
        this.directory = directory;
        this.local = local;
        this.remote = remote;
        this.dsn = dsn;
    }

    @Override
    public boolean finished(QueuedMessage message, Content content) {
        return dsn == null || dsn.finished(message, content);
    }

    @Override
    public QueuedMessage delayed(QueuedMessage message, Content content) {
        return dsn == null ? message : dsn.delayed(message, content);
    }

    @Override
    public void sync() throws java.io.IOException {
        local.sync();
    }

    @Override
    public Map<Integer, DeliveryOutcome> deliver(QueuedMessage message, List<Integer> pending, Content content,
                                                 boolean mayBeDelivered) {
        var outcomes = new HashMap<Integer, DeliveryOutcome>();
        var remoteIndexes = new java.util.ArrayList<Integer>();
        var copies = new java.util.ArrayList<LocalDelivery.Copy>();
        var recipients = message.status().recipients();
        for (int i : pending) {
            var r = recipients.get(i);
            MailAddress address = r.address();
            try {
                route(i, r, address, outcomes, copies, remoteIndexes);
            } catch (dev.mailflow.directory.DirectoryUnavailable e) {
                // A database or directory server that is down makes the copy wait, never bounce.
                outcomes.put(i, new DeliveryOutcome.Deferred(DeliveryCodes.LOCAL_ERROR, "the directory cannot answer "
                        + "now: " + e.getMessage()));
            }
        }
        if (!copies.isEmpty()) {
            outcomes.putAll(local.deliver(message.envelope(), copies, content, mayBeDelivered));
        }
        if (!remoteIndexes.isEmpty()) {
            if (remote == null) {
                for (int i : remoteIndexes) {
                    outcomes.put(i, new DeliveryOutcome.Deferred(DeliveryCodes.NO_ROUTE,
                            "no route to " + recipients.get(i).address().domain() + ": remote delivery is off"));
                }
            } else {
                outcomes.putAll(remote.deliver(message, remoteIndexes, content));
            }
        }
        return outcomes;
    }

    private void route(int i, dev.mailflow.queue.RecipientState r, MailAddress address,
                       Map<Integer, DeliveryOutcome> outcomes, List<LocalDelivery.Copy> copies,
                       List<Integer> remoteIndexes) {
        DeliveryOutcome outcome = switch (directory.lookup(address)) {
            case MAILBOX -> {
                copies.add(new LocalDelivery.Copy(i, r.original(), directory.mailbox(address)));
                yield null;
            }
            case ALIAS -> new DeliveryOutcome.Expanded(directory.alias(address).targets());
            case CATCH_ALL -> new DeliveryOutcome.Expanded(
                    List.of(directory.acceptedDomain(address.domain()).catchAll()));
            case POSTMASTER -> {
                var pm = directory.postmasterMailbox(address.domain());
                if (pm != null) {
                    copies.add(new LocalDelivery.Copy(i, r.original(), pm));
                }
                yield pm == null ? new DeliveryOutcome.Failed(DeliveryCodes.USER_UNKNOWN,
                        "no postmaster mailbox is configured for " + address.domain()) : null;
            }
            case UNKNOWN_USER -> new DeliveryOutcome.Failed(DeliveryCodes.USER_UNKNOWN, "User unknown: " + address
                    + " is not a mailbox here (any more)");
            case NOT_OURS -> {
                remoteIndexes.add(i);
                yield null;
            }
        };
        if (outcome != null) {
            outcomes.put(i, outcome);
        }
    }
}
