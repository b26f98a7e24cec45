package dev.mailflow.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailflow.queue.FileQueueStore;
import dev.mailflow.queue.QueueAdmin;
import dev.mailflow.queue.QueueJson;
import dev.mailflow.queue.QueueState;
import dev.mailflow.queue.TrackingLog;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mailflow queue}: look at and act on the queue, like {@code postqueue}/{@code postsuper}
 * and Exchange's Get-Queue. Talks to the running server over its admin channel; when no
 * server runs, works on the queue files under the data directory lock.
 */
@Command(name = "queue", mixinStandardHelpOptions = true,
        description = {"Show the queue, and retry, hold, release or delete messages.",
            "Safe while the server runs (it asks the server); works on the files when it does not."},
        subcommands = {QueueCommand.List.class, QueueCommand.Show.class, QueueCommand.Retry.class,
            QueueCommand.Hold.class, QueueCommand.Release.class, QueueCommand.Delete.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:the action could not be done (no such message...)", "2:usage or configuration error"})
public final class QueueCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    ConfigOption config;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "say what to do: list, show ID, retry ID|--all, hold ID, release ID or delete ID");
    }

    /** What every subcommand shares: the config, JSON output, and the call. */
    abstract static class Sub implements Callable<Integer> {
        @picocli.CommandLine.ParentCommand
        QueueCommand parent;

        @Option(names = "--json", description = "print the answer as JSON")
        boolean json;

        @Spec
        CommandSpec spec;

        abstract ObjectNode request();

        abstract void render(JsonNode answer, PrintWriter out);

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            MailflowConfig cfg = parent.config.loadOrReport(err);
            if (cfg == null) {
                return ExitCodes.USAGE;
            }
            var request = request();
            Path data = ExistingDataDirectory.orReport(cfg, err);
            if (data == null) {
                return ExitCodes.USAGE;
            }
            JsonNode answer;
            try {
                answer = send(cfg, data, request);
            } catch (IOException e) {
                err.println("mailflow: " + IoErrors.describe(e));
                return ExitCodes.FAILURE;
            }
            if (json) {
                out.println(QueueJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(answer));
            } else if (answer.path("ok").asBoolean()) {
                render(answer, out);
            }
            if (!answer.path("ok").asBoolean() || !answer.path("result").path("ok").asBoolean(true)) {
                if (!json) {
                    String msg = answer.has("error") ? answer.path("error").asText()
                            : answer.path("result").path("message").asText();
                    err.println("mailflow: " + msg);
                }
                return ExitCodes.FAILURE;
            }
            return ExitCodes.OK;
        }

        static ObjectNode op(String name) {
            return QueueJson.MAPPER.createObjectNode().put("op", name);
        }
    }

    /** Through the running server when there is one, else on the files under the lock. */
    static JsonNode send(MailflowConfig cfg, Path data, ObjectNode request) throws IOException {
        var answer = AdminChannel.call(data, request);
        if (answer != null) {
            return answer;
        }
        try (var lock = DataDirectoryLock.tryAcquire(data)) {
            if (lock == null) {
                throw new IOException("the server using " + data + " does not answer on its admin channel ("
                        + AdminChannel.socketPath(data) + "); is it starting or stopping?");
            }
            var clock = Clock.systemDefaultZone();
            if (cfg.queue().shared() != null) {
                // The shared queue is in the database: this node's server need not run to see it.
                try (var db = SharedQueueDatabase.open(cfg.queue(), data);
                     var tracking = new TrackingLog(data.resolve("logs"), clock)) {
                    // The operator's action goes to the cluster's tracking too, as through a running node.
                    tracking.shareWith(db.tracking().start());
                    return AdminProtocol.handle(new QueueAdmin(db.store(), null, tracking, clock), request);
                }
            }
            // Removed here, a message is deleted at once: no spare keeps it until the next start.
            var store = new FileQueueStore(data.resolve("queue"), false);
            try (var tracking = new TrackingLog(data.resolve("logs"), clock)) {
                return AdminProtocol.handle(new QueueAdmin(store, null, tracking, clock), request);
            }
        }
    }

    /** An instant as people read it: whole seconds, UTC ("2026-12-06T13:02:11Z"); other text as it is. */
    static String toSeconds(String instant) {
        try {
            return Instant.parse(instant).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        } catch (java.time.format.DateTimeParseException e) {
            return instant;
        }
    }

    static String age(Duration d) {
        long s = d.toSeconds();
        if (s < 120) {
            return s + "s";
        }
        if (s < 7200) {
            return s / 60 + "m";
        }
        if (s < 172800) {
            return s / 3600 + "h";
        }
        return s / 86400 + "d";
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Counts per state, then one line per message (id, state, age, size, sender, recipients) "
                + "and why it waits: attempts, next attempt and last error, or why it is on hold.")
    static final class List extends Sub {
        @Option(names = "--state", paramLabel = "STATE", description = "only active, deferred, hold or corrupt")
        String state;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "1000",
                description = "at most N messages, oldest id first (default ${DEFAULT-VALUE}; 0: all)")
        int limit;

        @Option(names = "--after", paramLabel = "ID", converter = QueueIdConverter.class,
                description = "only messages whose id comes after ID (the next page: the id the list ends with)")
        Long after;

        @Override
        ObjectNode request() {
            if (limit < 0) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--limit: a number of messages, 0 or more (0: all), not " + limit);
            }
            var r = op("list").put("limit", limit);
            if (after != null) {
                r.put("after", after);
            }
            if (state != null) {
                try {
                    r.put("state", QueueState.parse(state).directory());
                } catch (IllegalArgumentException e) {
                    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--state: " + e.getMessage());
                }
            }
            return r;
        }

        @Override
        void render(JsonNode answer, PrintWriter out) {
            var listing = answer.path("listing");
            var counts = new StringBuilder();
            listing.path("counts").fields().forEachRemaining(e -> counts.append(counts.isEmpty() ? "" : ", ")
                    .append(e.getKey().toLowerCase()).append(' ').append(e.getValue().asInt()));
            out.println("Queue: " + counts);
            var nodes = listing.path("nodes");
            if (nodes.isArray() && !nodes.isEmpty()) {
                var line = new StringBuilder();
                for (JsonNode n : nodes) {
                    line.append(line.isEmpty() ? "" : ", ").append(n.path("nodeId").asText()).append(' ')
                            .append(n.path("alive").asBoolean() ? "up" : n.path("stopped").asBoolean() ? "stopped"
                                    : "down").append(" (heartbeat ")
                            .append(age(Duration.between(Instant.parse(n.path("heartbeat").asText()), Instant.now())
                                    .abs())).append(" ago)");
                }
                out.println("Nodes: " + line);
            }
            var messages = listing.path("messages");
            if (messages.isEmpty()) {
                out.println("(no messages)");
                return;
            }
            out.printf("%-18s %-9s %5s %9s  %s%n", "ID", "STATE", "AGE", "SIZE", "SENDER -> RECIPIENTS");
            for (JsonNode m : messages) {
                var rcpts = new StringBuilder();
                m.path("recipients").forEach(r -> rcpts.append(rcpts.isEmpty() ? "" : ", ").append(r.asText()));
                String sender = m.path("sender").asText();
                out.printf("%-18s %-9s %5s %9d  <%s> -> %s%n", m.path("id").asText(),
                        m.path("state").asText().toLowerCase(), age(Duration.ofSeconds(m.path("ageSeconds").asLong())),
                        m.path("size").asLong(), sender, rcpts);
                for (String why : whyItWaits(m, Instant.now())) {
                    out.printf("%35s %s%n", "", why);
                }
            }
            if (listing.hasNonNull("continueAfter")) {
                out.println("(" + messages.size() + " of " + listing.path("matching").asInt() + " shown; the next "
                        + "ones: mailflow queue list" + (parent.config.file != null
                        ? " --config " + shellWord(parent.config.file.toString()) : "")
                        + " --after " + listing.path("continueAfter").asText()
                        + (state != null ? " --state " + state : "") + (limit != 1000 ? " --limit " + limit : "") + ")");
            }
        }

        /** The lines under a message: why it is on hold, or its attempts, next attempt and last error. */
        static java.util.List<String> whyItWaits(JsonNode m, Instant now) {
            var lines = new java.util.ArrayList<String>();
            if (m.hasNonNull("holdReason")) {
                lines.add(m.path("holdReason").asText());
                if (m.path("attempts").asInt() > 0) {
                    lines.add("attempts " + m.path("attempts").asInt());
                }
            } else if (m.path("attempts").asInt() > 0) {
                lines.add("attempts " + m.path("attempts").asInt() + ", " + m.path("pending").asLong() + " pending, "
                        + "next attempt " + nextAttempt(m.path("nextAttempt").asText(null), now));
            }
            if (m.hasNonNull("lastError")) {
                lines.add("last error: " + m.path("lastError").asText());
            }
            if (m.hasNonNull("node")) {
                lines.add("being delivered by node " + m.path("node").asText());
            }
            return lines;
        }

        private static String nextAttempt(String at, Instant now) {
            if (at == null) {
                return "now";
            }
            var when = Instant.parse(at);
            return when.isAfter(now) ? "in " + age(Duration.between(now, when)) + " ("
                    + when.truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + ")" : "now";
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "A message in detail: envelope, each recipient's status, headers.")
    static final class Show extends Sub {
        @Parameters(paramLabel = "ID", description = "the queue id (InternalId), as queue list shows it",
                converter = QueueIdConverter.class)
        long id;

        @Override
        ObjectNode request() {
            return op("show").put("id", id);
        }

        @Override
        void render(JsonNode answer, PrintWriter out) {
            var d = answer.path("detail");
            var m = d.path("message");
            var env = m.path("envelope");
            var status = m.path("status");
            out.println("Message " + m.path("id").asText() + " (" + m.path("state").asText().toLowerCase() + ")");
            out.println("  Message-ID:  " + env.path("messageId").asText());
            out.println("  received:    " + toSeconds(env.path("receivedAt").asText()) + " on "
                    + env.path("connector").asText() + " from " + env.path("heloName").asText() + " [" + env.path("clientAddress").asText() + "]");
            out.println("  sender:      <" + address(env.path("sender")) + ">");
            out.println("  size:        " + env.path("size").asLong() + " octets");
            out.println("  attempts:    " + status.path("attempts").asInt()
                    + (status.hasNonNull("nextAttempt")
                    ? ", next " + toSeconds(status.path("nextAttempt").asText()) : ""));
            if (m.path("state").asText().equals("HOLD") && status.hasNonNull("holdReason")) {
                out.println("  on hold:     " + status.path("holdReason").asText());
            }
            if (status.hasNonNull("lastError")) {
                out.println("  last error:  " + status.path("lastError").asText());
            }
            var auth = env.path("authentication");
            if (auth.isObject()) {
                // The checks of the message as received, one line each, as the console's table shows them.
                out.println("  authentication:");
                authLine(out, "SPF", auth.path("spf"));
                if (auth.path("dkim").isEmpty()) {
                    out.println("    DKIM   none       the message is not signed");
                }
                auth.path("dkim").forEach(c -> authLine(out, "DKIM", c));
                authLine(out, "DMARC", auth.path("dmarc"));
                authLine(out, "ARC", auth.path("arc"));
            }
            out.println("  recipients:");
            for (JsonNode r : d.path("recipients")) {
                out.println("    " + r.path("address").asText()
                        + (r.hasNonNull("original") ? " (for " + r.path("original").asText() + ")" : "") + ": "
                        + r.path("status").asText()
                        + (r.hasNonNull("enhancedStatus") ? " " + r.path("enhancedStatus").asText() : "")
                        + (r.hasNonNull("detail") ? " " + r.path("detail").asText() : ""));
                if (r.hasNonNull("explanation")) {
                    out.println("      " + r.path("enhancedStatus").asText() + ": " + r.path("explanation").asText());
                }
            }
            out.println("  headers:");
            d.path("headers").forEach(h -> out.println("    " + h.asText()));
        }

        private static void authLine(PrintWriter out, String method, JsonNode c) {
            if (!c.isObject()) {
                return;
            }
            String about = String.join(" ", java.util.stream.Stream.of(c.path("domain"), c.path("detail"))
                    .filter(JsonNode::isTextual).map(JsonNode::asText).toList());
            out.println(("    %-6s %-10s %s%s").formatted(method, c.path("result").asText(),
                    about.isEmpty() ? "" : about + ": ", c.path("reason").asText("")).stripTrailing());
        }

        private static String address(JsonNode a) {
            String local = a.path("localPart").asText();
            String domain = a.path("domain").asText();
            return domain.isEmpty() ? local : local + "@" + domain;
        }
    }

    abstract static class Action extends Sub {
        @Override
        void render(JsonNode answer, PrintWriter out) {
            var result = answer.path("result");
            if (result.path("ok").asBoolean()) {
                out.println(result.path("message").asText());
            }
        }
    }

    @Command(name = "retry", mixinStandardHelpOptions = true, description = "Try deferred messages again now.")
    static final class Retry extends Action {
        @Parameters(paramLabel = "ID", arity = "0..1", description = "the queue id",
                converter = QueueIdConverter.class)
        Long id;

        @Option(names = "--all", description = "every deferred message")
        boolean all;

        @Override
        ObjectNode request() {
            if (all == (id != null)) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "give an ID or --all");
            }
            return all ? op("retry-all") : op("retry").put("id", id);
        }
    }

    /** An action on one message, named on the admin channel as the command is named here. */
    abstract static class OneMessage extends Action {
        @Parameters(paramLabel = "ID", description = "the queue id", converter = QueueIdConverter.class)
        long id;

        @Override
        ObjectNode request() {
            return op(spec.name()).put("id", id);
        }
    }

    @Command(name = "hold", mixinStandardHelpOptions = true, description = "Keep a message from being delivered.")
    static final class Hold extends OneMessage {
    }

    @Command(name = "release", mixinStandardHelpOptions = true, description = "Send a held message to delivery again; a notice held because it failed is "
                + "tried again for its failed recipients.")
    static final class Release extends OneMessage {
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Remove a message from the queue without telling the sender.")
    static final class Delete extends OneMessage {
    }

    /** {@code word} as a shell reads it back: as it is when it is plain, else in single quotes. */
    static String shellWord(String word) {
        return word.matches("[A-Za-z0-9_@%+=:,./-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
    }
}
