package dev.mailflow.probe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * KB 153119's "Advanced Testing", automated: after the test message went out with
 * NOTIFY=SUCCESS,FAILURE,DELAY, RET=HDRS and an ENVID, the return address's mailbox (a
 * Maildir of a local Mailflow server) is watched for the delivery status notification, or for
 * a reply, until a final one comes or the time limit passes. Reports are matched to the test
 * message by the ENVID echoed (RFC 3461 4.4), else by the Message-ID in the returned headers,
 * and replies by In-Reply-To or References.
 */
public final class RoundTrip {

    /**
     * Where the return address's mail arrives, and how long to wait.
     *
     * @param maildir the return address's Maildir (its {@code new} and {@code cur} are watched)
     * @param limit   the time limit
     * @param where   the receiving server, in words ("the probe's own receiver on 127.0.0.1:2526")
     */
    public record Options(Path maildir, Duration limit, String where) {
    }

    /** One message that came back. */
    record Arrival(Duration after, String kind, DeliveryReport report, String subject, String from) {
    }

    private static final Duration POLL = Duration.ofMillis(250);

    private RoundTrip() {
    }

    /**
     * Waits for the test message's reports.
     *
     * @return what came back in order; the last one is final (every recipient delivered,
     *         relayed, expanded or failed, or a reply), unless the time ran out
     */
    /**
     * Waits until every one of {@code recipients} has a final action in the reports that came
     * (a server may send its success and its failure notices apart), a reply came, or the time
     * is up.
     */
    static List<Arrival> await(Options options, String envid, String messageId, Instant sent, List<String> recipients,
                               Probe.Listener listener) throws InterruptedException {
        var outstanding = new java.util.HashSet<String>();
        recipients.forEach(r -> outstanding.add(r.toLowerCase(Locale.ROOT)));
        var arrivals = new ArrayList<Arrival>();
        Set<String> seen = new HashSet<>();
        Instant deadline = sent.plus(options.limit());
        while (true) {
            for (Path file : files(options.maildir())) {
                if (!seen.add(file.getFileName().toString().replaceAll(":2,.*$", ""))) {
                    continue;
                }
                byte[] content;
                try {
                    content = Files.readAllBytes(file);
                } catch (IOException e) {
                    seen.remove(file.getFileName().toString().replaceAll(":2,.*$", ""));
                    continue; // moved from new to cur meanwhile: read it there next time
                }
                Duration after = Duration.between(sent, Instant.now());
                var report = DeliveryReport.parse(content);
                if (report.isPresent()) {
                    var r = report.get();
                    if (envid.equals(r.originalEnvelopeId()) || messageId.equals(r.returnedMessageId())) {
                        arrivals.add(new Arrival(after, "dsn", r, r.subject(), r.from()));
                        for (var x : r.recipients()) {
                            if (!"delayed".equals(x.action())) {
                                for (String a : new String[] {x.finalRecipient(), x.originalRecipient()}) {
                                    if (a != null) {
                                        outstanding.remove(a.toLowerCase(Locale.ROOT));
                                    }
                                }
                            }
                        }
                        if (recipients.isEmpty() ? isFinal(r) : outstanding.isEmpty()) {
                            return arrivals;
                        }
                    }
                } else if (DeliveryReport.answers(content).contains(messageId)) {
                    arrivals.add(new Arrival(after, "reply", null, header(content, "Subject"),
                            header(content, "From")));
                    return arrivals;
                }
            }
            Instant now = Instant.now();
            if (!now.isBefore(deadline)) {
                return arrivals;
            }
            listener.waiting(Messages.text("waiting.receipt", options.maildir(), Duration.between(sent, now).toSeconds(),
                    options.limit().toSeconds()));
            Thread.sleep(POLL.toMillis());
        }
    }

    /** Every recipient's action is final (RFC 3464 2.3.3: all but "delayed"). */
    static boolean isFinal(DeliveryReport r) {
        return !r.recipients().isEmpty() && r.recipients().stream().noneMatch(x -> "delayed".equals(x.action()));
    }

    private static List<Path> files(Path maildir) {
        var all = new ArrayList<Path>();
        for (String sub : List.of("new", "cur")) {
            Path dir = maildir.resolve(sub);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(Files::isRegularFile).sorted().forEach(all::add);
            } catch (IOException e) {
                // the directory is being changed: next time
            }
        }
        return all;
    }

    private static String header(byte[] content, String name) {
        var blocks = DeliveryReport.blocks(new String(content, java.nio.charset.StandardCharsets.UTF_8));
        return blocks.isEmpty() ? null : blocks.get(0).get(name.toLowerCase(Locale.ROOT));
    }
}
