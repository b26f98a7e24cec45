package dev.mailflow.web;

import dev.mailflow.queue.QueueState;
import dev.mailflow.queue.QueueStore;
import dev.mailflow.queue.TrackingEvent;
import dev.mailflow.queue.TrackingLog;
import dev.mailflow.server.MailServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server's metrics in Micrometer, for Prometheus at /metrics: connections per connector,
 * messages received, delivered, deferred, failed, DSNs, queue depth per state, delivery
 * latency, TLS handshakes, AUTH failures. Message counts come from the tracking log's events;
 * a per-minute history feeds the overview chart.
 */
final class Metrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, Counter> events = new ConcurrentHashMap<>();
    private final Map<String, Counter> outboundTls = new ConcurrentHashMap<>();
    private final Timer latency;
    private final Map<QueueState, Integer> depth = new EnumMap<>(QueueState.class);
    private final ArrayDeque<long[]> perMinute = new ArrayDeque<>();

    Metrics(MailServer server, QueueStore store, TrackingLog tracking) {
        for (var c : server.connectors()) {
            Gauge.builder("mailflow_connections_open", c, x -> x.openConnections()).tag("connector", c.config().name())
                    .description("SMTP connections open").register(registry);
            FunctionCounter.builder("mailflow_connections", c, x -> x.totalConnections())
                    .tag("connector", c.config().name()).description("SMTP connections accepted").register(registry);
        }
        FunctionCounter.builder("mailflow_tls_handshakes", server.stats(), s -> s.tlsHandshakes())
                .description("TLS handshakes completed").register(registry);
        FunctionCounter.builder("mailflow_auth_failures", server.stats(), s -> s.authFailures())
                .description("failed AUTH attempts").register(registry);
        dev.mailflow.server.ServerStats.AUTHENTICATION_RESULTS.forEach((method, results) -> {
            for (String result : results) {
                FunctionCounter.builder("mailflow_authentication_results", server.stats(),
                                s -> s.authenticationResults(method, result))
                        .tag("method", method).tag("result", result)
                        .description("email authentication results of received mail (DKIM: per signature)")
                        .register(registry);
            }
        });
        for (var check : dev.mailflow.server.Check.values()) {
            FunctionCounter.builder("mailflow_rejections", server.stats(), st -> st.rejections(check))
                    .tag("check", check.word())
                    .description("commands and messages refused by the SMTP server, by the check that refused")
                    .register(registry);
        }
        for (var state : QueueState.ACCEPTED) {
            depth.put(state, 0);
            Gauge.builder("mailflow_queue_messages", depth, d -> d.getOrDefault(state, 0))
                    .tag("state", state.directory()).description("messages in the queue").register(registry);
        }
        for (String e : List.of("received", "delivered", "sent", "deferred", "failed", "dsn")) {
            events.put(e, Counter.builder("mailflow_messages").tag("event", e)
                    .description("message events (recipients for delivered/sent/deferred/failed)").register(registry));
        }
        for (String o : dev.mailflow.queue.TlsSummary.OUTCOMES) {
            outboundTls.put(o, Counter.builder("mailflow_outbound_tls").tag("outcome", o)
                    .description("recipients sent to other servers, by TLS outcome; refused: deferred or failed "
                            + "because the destination's TLS policy was not met").register(registry));
        }
        latency = Timer.builder("mailflow_delivery_latency").description("from receipt to delivery or sending")
                .publishPercentileHistogram().register(registry);
        tracking.listen(this::onEvent);
        this.store = store;
    }

    private final QueueStore store;

    private void onEvent(TrackingEvent e) {
        String key = switch (e.event()) {
            case "RECEIVE" -> "received";
            case "DELIVER" -> "delivered";
            case "SEND" -> "sent";
            case "DEFER" -> "deferred";
            case "FAIL" -> "failed";
            case "DSN" -> "dsn";
            default -> null;
        };
        if (key == null) {
            return;
        }
        events.get(key).increment();
        if (key.equals("sent") && e.tls() != null) {
            outboundTls.get(e.tls().outcome()).increment(e.recipients().size());
        } else if ((key.equals("deferred") || key.equals("failed"))
                && dev.mailflow.queue.DeliveryCodes.TLS_POLICY.toString().equals(e.status())) {
            outboundTls.get("refused").increment(e.recipients().size());
        }
        if (key.equals("delivered") || key.equals("sent")) {
            // Queue ids are microseconds since the epoch at receipt.
            long micros = e.time().getEpochSecond() * 1_000_000 + e.time().getNano() / 1000 - e.id();
            if (micros >= 0 && micros < 86_400_000_000L * 30) {
                latency.record(Duration.ofNanos(micros * 1000));
            }
        }
        synchronized (perMinute) {
            long minute = e.time().getEpochSecond() / 60;
            if (perMinute.isEmpty() || perMinute.peekLast()[0] != minute) {
                perMinute.addLast(new long[] {minute, 0, 0, 0});
                while (perMinute.size() > 60) {
                    perMinute.removeFirst();
                }
            }
            var row = perMinute.peekLast();
            switch (key) {
                case "received" -> row[1]++;
                case "delivered", "sent" -> row[2]++;
                case "deferred" -> row[3]++;
                default -> {
                }
            }
        }
    }

    /** Received, delivered (and sent), deferral attempts per minute, the last hour, oldest first. */
    List<Map<String, Object>> history() {
        synchronized (perMinute) {
            return perMinute.stream().map(r -> Map.<String, Object>of("minute",
                    Instant.ofEpochSecond(r[0] * 60).toString(), "received", r[1], "delivered", r[2],
                    "deferralAttempts", r[3])).toList();
        }
    }

    /**
     * The counters since start, as whole numbers (Micrometer counts in doubles), named for what
     * they count: {@code deferralAttempts} are attempts that failed temporarily, one per
     * recipient and attempt, not messages waiting now (the queue counts those).
     */
    Map<String, Long> counters() {
        var m = new java.util.LinkedHashMap<String, Long>();
        m.put("received", count("received"));
        m.put("delivered", count("delivered"));
        m.put("sent", count("sent"));
        m.put("deferralAttempts", count("deferred"));
        m.put("failed", count("failed"));
        m.put("dsn", count("dsn"));
        return m;
    }

    private long count(String event) {
        return Math.round(events.get(event).count());
    }

    String scrape() {
        try {
            var counts = store.countByState();
            synchronized (depth) {
                depth.replaceAll((k, v) -> counts.getOrDefault(k, 0));
            }
        } catch (java.io.IOException e) {
            // keep the last depth
        }
        return registry.scrape();
    }
}
