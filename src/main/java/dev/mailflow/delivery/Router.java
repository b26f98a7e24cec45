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
        // One copy per mailbox and message (as Exchange delivers): a mailbox that an earlier
        // recipient of this message reached here, or that another copy of this batch reaches,
        // is not written again; its recipient is delivered with that copy (and its DSN says so).
        var reached = new java.util.HashSet<String>();
        for (var r : recipients) {
            if (r.status() == dev.mailflow.queue.RecipientState.Status.DELIVERED && r.remoteReply() == null) {
                reached.add(r.address().key());
            }
        }
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
        var once = new java.util.ArrayList<LocalDelivery.Copy>();
        var firstCopy = new HashMap<String, Integer>();
        var sameAs = new HashMap<Integer, Integer>();
        for (var c : copies) {
            String key = c.mailbox().address().key();
            if (firstCopy.containsKey(key)) {
                sameAs.put(c.index(), firstCopy.get(key)); // this batch's copy decides for it too
            } else if (reached.contains(key)) {
                outcomes.put(c.index(), withAnother(c));
            } else {
                firstCopy.put(key, c.index());
                once.add(c);
            }
        }
        if (!once.isEmpty()) {
            outcomes.putAll(local.deliver(message.envelope(), once, content, mayBeDelivered));
        }
        for (var c : copies) {
            Integer first = sameAs.get(c.index());
            if (first != null) {
                var o = outcomes.get(first);
                outcomes.put(c.index(), o instanceof DeliveryOutcome.Delivered ? withAnother(c) : o);
            }
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

    private static DeliveryOutcome withAnother(LocalDelivery.Copy c) {
        return new DeliveryOutcome.Delivered("delivered to " + c.mailbox().address()
                + " with the copy of another recipient of this message (one copy per mailbox)");
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
