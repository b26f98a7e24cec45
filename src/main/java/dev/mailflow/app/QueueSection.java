package dev.mailflow.app;

import dev.mailflow.queue.RetryPolicy;
import dev.mailflow.server.ConnectorConfig;
import java.time.Duration;
import java.util.List;

/** {@code [queue]}: how the queue retries, when it gives up, and how it protects its disk. */
final class QueueSection implements ConfigSection<QueueConfig> {

    static final QueueSection SECTION = new QueueSection();

    static final ConfigKey<List<Duration>> RETRY_INTERVALS = Keys.durations("retry_intervals",
            RetryPolicy.DEFAULT.intervals());
    static final ConfigKey<Duration> LIFETIME = Keys.duration("lifetime", RetryPolicy.DEFAULT.lifetime());
    static final ConfigKey<Duration> DELAY_WARNING = Keys.duration("delay_warning", RetryPolicy.DEFAULT.delayWarning());
    /** Default: 1.5 times the largest message a connector takes. */
    static final ConfigKey<Long> MIN_FREE_SPACE = Keys.size("min_free_space", null);
    static final ConfigKey<Integer> DELIVERY_CONCURRENCY = Keys.positiveInt("delivery_concurrency", 64).needsRestart();

    private QueueSection() {
    }

    @Override
    public String name() {
        return "queue";
    }

    @Override
    public Shape shape() {
        return Shape.TABLE;
    }

    @Override
    public List<ConfigKey<?>> keys() {
        return List.of(RETRY_INTERVALS, LIFETIME, DELAY_WARNING, MIN_FREE_SPACE, DELIVERY_CONCURRENCY);
    }

    @Override
    public QueueConfig read(SectionInput in) throws ConfigException {
        var t = in.table();
        var intervals = t.get(RETRY_INTERVALS);
        var retry = new RetryPolicy(intervals.isEmpty() ? RETRY_INTERVALS.fallback() : intervals, t.get(LIFETIME),
                t.get(DELAY_WARNING));
        Long minFree = t.get(MIN_FREE_SPACE);
        if (minFree == null) {
            long largest = in.get(ReceiveConnectorSection.SECTION).stream().mapToLong(ConnectorConfig::maxMessageSize)
                    .max().orElse(0);
            minFree = largest + largest / 2;
        }
        return new QueueConfig(retry, minFree, t.get(DELIVERY_CONCURRENCY));
    }
}
