package dev.mailflow.delivery;

import dev.mailflow.delivery.local.MaildirDelivery;
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
 * Decides, for each recipient, where a message goes: a mailbox of ours (Maildir), an alias
 * or catch-all to expand, or another server (remote delivery).
 */
public final class Router implements DeliveryAgent {

    /** Delivery to other servers; until it is configured, such recipients wait. */
    public interface Remote {
        Map<Integer, DeliveryOutcome> deliver(QueuedMessage message, List<Integer> recipients, Content content);
    }

    private final Directory directory;
    private final MaildirDelivery local;
    private final Remote remote;
    private final dev.mailflow.delivery.dsn.DsnService dsn;

    public Router(Directory directory, MaildirDelivery local, Remote remote, dev.mailflow.delivery.dsn.DsnService dsn) {
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
        var recipients = message.status().recipients();
        for (int i : pending) {
            var r = recipients.get(i);
            MailAddress address = r.address();
            DeliveryOutcome outcome = switch (directory.lookup(address)) {
                case MAILBOX -> local.deliver(message.envelope(), r.original(), directory.mailbox(address), content,
                        mayBeDelivered);
                case ALIAS -> new DeliveryOutcome.Expanded(directory.alias(address).targets());
                case CATCH_ALL -> new DeliveryOutcome.Expanded(
                        List.of(directory.acceptedDomain(address.domain()).catchAll()));
                case POSTMASTER -> {
                    var pm = directory.postmasterMailbox(address.domain());
                    yield pm == null ? new DeliveryOutcome.Failed(DeliveryCodes.USER_UNKNOWN,
                            "no postmaster mailbox is configured for " + address.domain())
                            : local.deliver(message.envelope(), r.original(), pm, content, mayBeDelivered);
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
}
