package dev.mailflow.app;

import dev.mailflow.queue.QueueJson;
import dev.mailflow.queue.TrackingEvent;
import dev.mailflow.queue.TrackingLog;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mailflow track}: search the message tracking log, like Exchange's Get-MessageTrackingLog. */
@Command(name = "track", mixinStandardHelpOptions = true,
        description = {"Search the message tracking log: where did a message go?",
            "Events: RECEIVE, DELIVER (to a mailbox here), SEND (to another server), DEFER, FAIL, EXPAND, DSN, "
                + "HOLD (a failed notice kept on hold), REJECT (refused at the SMTP server; id 0 before DATA), "
                + "DISCARD (accepted and delivered to no one, by a filter), and the operator's RETRY, HOLD, RELEASE, "
                + "DELETE."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:events found", "1:no event matched", "2:usage or configuration error"})
public final class TrackCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Option(names = "--sender", paramLabel = "ADDRESS", description = "events of messages from this sender")
    String sender;

    @Option(names = "--recipient", paramLabel = "ADDRESS", description = "events about this recipient")
    String recipient;

    @Option(names = "--id", paramLabel = "ID", description = "events of this queue id (InternalId)",
            converter = QueueIdConverter.class)
    Long id;

    @Option(names = "--message-id", paramLabel = "MSGID", description = "events of this Message-ID")
    String messageId;

    @Option(names = "--since", paramLabel = "WHEN",
            description = "only events since then: a day (2026-11-23), a time (2026-11-23T10:00:00Z), "
                + "or a duration ago (30m, 2h, 1d)")
    String since;

    @Option(names = "--json", description = "one JSON object per line, as in the log")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        MailflowConfig cfg = config.loadOrReport(err);
        if (cfg == null) {
            return ExitCodes.USAGE;
        }
        Path data = ExistingDataDirectory.orReport(cfg, err);
        if (data == null) {
            return ExitCodes.USAGE;
        }
        Instant from;
        try {
            from = since == null ? null : parseSince(since);
        } catch (IllegalArgumentException e) {
            return UsageErrors.misuse(spec, "--since " + since + ": " + e.getMessage());
        }
        Predicate<TrackingEvent> filter = e -> true;
        if (sender != null) {
            filter = filter.and(e -> sender.equalsIgnoreCase(e.sender()));
        }
        if (recipient != null) {
            filter = filter.and(e -> e.recipients().stream().anyMatch(recipient::equalsIgnoreCase));
        }
        if (id != null) {
            filter = filter.and(e -> e.id() == id);
        }
        if (messageId != null) {
            String wanted = messageId.startsWith("<") ? messageId : "<" + messageId + ">";
            filter = filter.and(e -> wanted.equals(e.messageId()));
        }
        List<TrackingEvent> events;
        if (cfg.queue().shared() != null) {
            // A cluster: every node's events, from the shared queue's database.
            try (var db = SharedQueueDatabase.open(cfg.queue(), data)) {
                events = db.tracking().search(from, filter);
            } catch (dev.mailflow.queue.PostgresQueueStore.SharedQueueUnavailable e) {
                // This node's own log still has its events: better those than none.
                err.println("mailflow: " + e.getMessage() + "; showing this node's own events only");
                events = TrackingLog.search(data.resolve("logs"), from, filter);
            } catch (java.io.IOException e) {
                err.println("mailflow: " + e.getMessage());
                return ExitCodes.FAILURE;
            }
        } else {
            events = TrackingLog.search(data.resolve("logs"), from, filter);
        }
        if (json) {
            for (var e : events) {
                out.println(QueueJson.MAPPER.writeValueAsString(e));
            }
        } else if (!events.isEmpty()) {
            out.printf("%-24s %-8s %-18s %-28s %-28s %-7s %s%n", "TIME", "EVENT", "ID", "SENDER", "RECIPIENT",
                    "STATUS", "DETAIL");
            for (var e : events) {
                out.printf("%-24s %-8s %-18d %-28s %-28s %-7s %s%n", e.time().toString().replaceFirst("\\.\\d+Z$", "Z"),
                        e.event(), e.id(), e.sender() == null ? "-" : e.sender().isEmpty() ? "<>" : e.sender(),
                        String.join(",", e.recipients()), e.status() == null ? "" : e.status(),
                        (e.detail() == null ? "" : e.detail()) + (e.tls() == null ? "" : " [" + e.tls().brief() + "]")
                                + (e.check() == null ? "" : " [" + e.check() + "]"));
            }
        }
        if (events.isEmpty()) {
            err.println("mailflow: no tracking event matches");
            return ExitCodes.FAILURE;
        }
        return ExitCodes.OK;
    }

    static Instant parseSince(String text) {
        return TrackingLog.parseSince(text);
    }

}
