package dev.mailflow.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.queue.QueueState;
import dev.mailflow.queue.QueuedMessage;
import dev.mailflow.queue.TrackingEvent;
import dev.mailflow.queue.TrackingLog;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Mail relayed through a {@link TestServer} to a remote domain, and what became of it: the
 * queue state and the tracking log's SEND events (the outbound TLS policy tests).
 */
public final class RelayedMail {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private RelayedMail() {
    }

    /** Queues one message from {@code from} to {@code rcpt}; returns its queue id. */
    public static long send(TestServer server, String from, String rcpt, String subject) throws Exception {
        try (var c = new SmtpTestClient(server.port())) {
            c.reply();
            String reply = c.acceptedTransaction("contoso.com", from, "RCPT TO:<" + rcpt + ">",
                    "Subject: " + subject + "\r\n\r\nThis is a test message");
            assertThat(reply).startsWith("250 2.6.0");
            return Long.parseLong(reply.replaceAll(".*InternalId=(\\d+),.*", "$1"));
        }
    }

    /** The message once it is deferred. */
    public static QueuedMessage deferred(TestServer server, long id) throws Exception {
        return Await.until("deferred", WAIT, () -> server.runtime().store().load(id),
                m -> m != null && m.state() == QueueState.DEFERRED);
    }

    /** The first SEND event of the message, once there is one. */
    public static TrackingEvent sendEvent(TestServer server, long id) throws Exception {
        return Await.until("a SEND event", WAIT, () -> sends(server, id), l -> !l.isEmpty()).get(0);
    }

    /** The SEND events of the message so far. */
    public static List<TrackingEvent> sends(TestServer server, long id) throws Exception {
        return TrackingLog.search(server.dataDir().resolve("logs"), Instant.EPOCH,
                e -> e.id() == id && e.event().equals("SEND"));
    }
}
