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
    static final ConfigKey<String> STORE = Keys.string("store", "file").then(text -> {
        String v = text.strip().toLowerCase(java.util.Locale.ROOT);
        return switch (v) {
            case "file", "postgresql" -> v;
            default -> throw new ConfigKey.InvalidValue("must be \"file\" (the data directory) or \"postgresql\""
                    + " (a queue several nodes share)");
        };
    }, Keys::quoted).needsRestart();
    static final ConfigKey<String> URL = Keys.string("url").needsRestart();
    static final ConfigKey<String> USER = Keys.string("user").needsRestart();
    static final ConfigKey<String> PASSWORD_FILE = Keys.string("password_file").needsRestart();
    static final ConfigKey<String> NODE_ID = Keys.string("node_id").then(text -> {
        String v = text.strip();
        if (!v.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
            throw new ConfigKey.InvalidValue(Keys.quoted(text) + " is not a node name: letters, digits, '.', '_'"
                    + " and '-', at most 63, as \"mx1\"");
        }
        return v;
    }, Keys::quoted).needsRestart();
    static final ConfigKey<Duration> LEASE = Keys.duration("lease", Duration.ofSeconds(30)).needsRestart();

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
        return List.of(RETRY_INTERVALS, LIFETIME, DELAY_WARNING, MIN_FREE_SPACE, DELIVERY_CONCURRENCY, STORE, URL, USER,
                PASSWORD_FILE, NODE_ID, LEASE);
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
        return new QueueConfig(retry, minFree, t.get(DELIVERY_CONCURRENCY), shared(in, t));
    }

    /** {@code store = "postgresql"}: the database and this node's name; null for the file queue. */
    private static QueueConfig.Shared shared(SectionInput in, ConfigTable t) throws ConfigException {
        if (t.get(STORE).equals("file")) {
            for (var key : List.of(URL, USER, PASSWORD_FILE, NODE_ID, LEASE)) {
                if (t.has(key)) {
                    throw t.error(key, "is used only with store = \"postgresql\"");
                }
            }
            return null;
        }
        if (!t.has(URL)) {
            throw t.error(STORE, "store = \"postgresql\" needs url = \"jdbc:postgresql://HOST:PORT/DATABASE\"");
        }
        String url = t.get(URL);
        if (!url.startsWith("jdbc:postgresql:")) {
            throw t.error(URL, Keys.quoted(url) + " is not a PostgreSQL JDBC URL (jdbc:postgresql://127.0.0.1:5432/mail)");
        }
        if (!t.has(NODE_ID)) {
            throw t.error(STORE, "store = \"postgresql\" needs node_id = \"NAME\", unique to each node (\"mx1\")");
        }
        Duration lease = t.get(LEASE);
        if (lease.compareTo(Duration.ofSeconds(3)) < 0 || lease.compareTo(Duration.ofHours(1)) > 0) {
            throw t.error(LEASE, "must be between 3s and 1h");
        }
        String password = t.has(PASSWORD_FILE) ? PasswordFiles.read(in, t, PASSWORD_FILE) : null;
        return new QueueConfig.Shared(url, t.get(USER), password, t.get(NODE_ID), lease);
    }
}
