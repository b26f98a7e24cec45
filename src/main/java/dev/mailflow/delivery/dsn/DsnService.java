package dev.mailflow.delivery.dsn;

import dev.mailflow.queue.DeliveryAgent;
import dev.mailflow.queue.Envelope;
import dev.mailflow.queue.EnvelopeRecipient;
import dev.mailflow.queue.QueueStore;
import dev.mailflow.queue.QueuedMessage;
import dev.mailflow.queue.RecipientState;
import dev.mailflow.queue.RetryPolicy;
import dev.mailflow.queue.TrackingEvent;
import dev.mailflow.queue.TrackingLog;
import dev.mailflow.smtp.DsnNotify;
import dev.mailflow.smtp.MailAddress;
import dev.mailflow.smtp.MailParameters;
import dev.mailflow.smtp.RcptParameters;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which DSNs a message owes its sender (RFC 3461 4.1, 6.2) and queues them as new
 * messages from {@code <>}: failures unless NOTIFY excludes them, delays after the warning
 * time unless NOTIFY excludes them, successes only when NOTIFY asks (delivered here,
 * relayed to a next hop without DSN, expanded for an alias with several targets), none for
 * NOTIFY=NEVER and none to {@code <>}.
 */
public final class DsnService {

    private static final Logger LOG = LoggerFactory.getLogger(DsnService.class);

    private final String hostname;
    private final QueueStore store;
    private final TrackingLog tracking;
    private final Clock clock;
    private final RetryPolicy policy;
    private volatile Consumer<QueuedMessage> submit = m -> { };

    public DsnService(String hostname, QueueStore store, TrackingLog tracking, Clock clock, RetryPolicy policy) {
        this.hostname = hostname;
        this.store = store;
        this.tracking = tracking;
        this.clock = clock;
        this.policy = policy;
    }

    /** Where queued DSNs go to be delivered (the scheduler, once it exists). */
    public void submitTo(Consumer<QueuedMessage> submit) {
        this.submit = submit;
    }

    static boolean wants(RecipientState r, DsnNotify what) {
        Set<DsnNotify> n = r.parameters().notifyOn();
        if (n == null) {
            return what != DsnNotify.SUCCESS; // RFC 3461 4.1: the default is FAILURE (and DELAY)
        }
        return n.contains(what);
    }

    /**
     * A message is done: send the failure and success reports it owes.
     *
     * @return false when the message must stay in the queue (a DSN that itself failed)
     */
    public boolean finished(QueuedMessage m, DeliveryAgent.Content content) {
        var env = m.envelope();
        if (env.sender().isNullSender()) {
            // A bounce that bounced: never a DSN for it; keep it for the operator.
            return m.status().recipients().stream().noneMatch(r -> r.status() == RecipientState.Status.FAILED);
        }
        var failures = new ArrayList<DsnMessage.Entry>();
        var successes = new ArrayList<DsnMessage.Entry>();
        var expandedOriginals = new HashSet<String>();
        // "expanded" once per RCPT whose aliases led to several recipients (RFC 3461 5.2.7.3);
        // through single-recipient aliases the last one's own outcome is reported (5.2.7.2).
        var leaves = new HashMap<String, Integer>();
        for (var r : m.status().recipients()) {
            if (r.status() != RecipientState.Status.EXPANDED) {
                leaves.merge(r.original().key(), 1, Integer::sum);
            }
        }
        for (var r : m.status().recipients()) {
            if (r.status() == RecipientState.Status.EXPANDED && wants(r, DsnNotify.SUCCESS)
                    && leaves.getOrDefault(r.original().key(), 0) > 1 && expandedOriginals.add(r.original().key())) {
                successes.add(new DsnMessage.Entry(r, "expanded", r.updated()));
            }
        }
        for (var r : m.status().recipients()) {
            switch (r.status()) {
                case FAILED -> {
                    if (wants(r, DsnNotify.FAILURE)) {
                        failures.add(new DsnMessage.Entry(r, "failed", r.updated()));
                    }
                }
                case DELIVERED -> {
                    if (wants(r, DsnNotify.SUCCESS) && !r.dsnPassedOn()
                            && !expandedOriginals.contains(r.original().key())) {
                        successes.add(new DsnMessage.Entry(r, r.remoteReply() == null ? "delivered" : "relayed",
                                r.updated()));
                    }
                }
                default -> {
                }
            }
        }
        send(DsnKind.FAILURE, m, failures, content);
        send(DsnKind.SUCCESS, m, successes, content);
        return true;
    }

    /** The message has waited past the delay warning: tell the sender, once. */
    public QueuedMessage delayed(QueuedMessage m, DeliveryAgent.Content content) {
        var entries = new ArrayList<DsnMessage.Entry>();
        if (!m.envelope().sender().isNullSender()) {
            for (var r : m.status().recipients()) {
                if (!r.isFinal() && wants(r, DsnNotify.DELAY)) {
                    entries.add(new DsnMessage.Entry(r, "delayed", r.updated()));
                }
            }
        }
        send(DsnKind.DELAY, m, entries, content);
        try {
            return store.update(m, m.state(), m.status().withDelayWarned());
        } catch (IOException e) {
            LOG.error("could not record the delay notice of {}: {}", m.id(), e.toString());
            return m;
        }
    }

    private void send(DsnKind kind, QueuedMessage m, List<DsnMessage.Entry> entries, DeliveryAgent.Content content) {
        if (entries.isEmpty()) {
            return;
        }
        var env = m.envelope();
        String dsnId = UUID.randomUUID().toString();
        try {
            byte[] report;
            try (InputStream in = content.open()) {
                report = DsnMessage.build(kind, env, entries, in, hostname, dsnId, clock.instant(), clock.getZone(),
                        env.receivedAt().plus(policy.lifetime()));
            }
            var incoming = store.begin();
            try {
                incoming.content().write(report);
            } catch (IOException e) {
                incoming.abort();
                throw e;
            }
            var envelope = new Envelope(incoming.id(), "<" + dsnId + "@" + hostname + ">", false, clock.instant(),
                    "dsn", "127.0.0.1", hostname, "LOCAL", MailAddress.NULL_SENDER, MailParameters.NONE,
                    List.of(new EnvelopeRecipient(env.sender(), new RcptParameters(Set.of(DsnNotify.NEVER), null))),
                    report.length, null, null, false, List.of(), null, true);
            var queued = incoming.commit(envelope);
            if (tracking != null) {
                tracking.write(new TrackingEvent(clock.instant(), "DSN", m.id(), env.messageId(), env.sender().toString(),
                        entries.stream().map(e -> e.recipient().address().toString()).toList(), null, null,
                        (long) report.length, null, kind.name().toLowerCase() + " notice " + queued.id() + " to <"
                        + env.sender() + ">", null));
            }
            submit.accept(queued);
        } catch (IOException e) {
            LOG.error("could not queue the {} notice for message {}: {}", kind, m.id(), e.toString());
        }
    }
}
