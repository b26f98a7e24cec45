package dev.mailflow.app;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.mailflow.queue.PostgresQueueStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The shared queue's database ({@code [queue] store = "postgresql"}): a HikariCP pool of
 * read-write connections over the PostgreSQL JDBC driver, and the store on it. Connections time
 * out in two seconds, so a database that is down makes mail wait (451) instead of hanging.
 */
final class SharedQueueDatabase implements AutoCloseable {

    private final HikariDataSource pool;
    private final PostgresQueueStore store;
    private final dev.mailflow.queue.ClusterTracking tracking;

    private SharedQueueDatabase(HikariDataSource pool, PostgresQueueStore store, String nodeId) {
        this.pool = pool;
        this.store = store;
        this.tracking = new dev.mailflow.queue.ClusterTracking(pool, nodeId);
    }

    /**
     * Opens the pool and the store, with this node's spool under the data directory.
     *
     * @throws IOException when the database cannot be reached or set up, or when the file queue
     *                     of this data directory still holds mail (it would be left behind)
     */
    static SharedQueueDatabase open(QueueConfig queue, Path data) throws IOException {
        var s = queue.shared();
        refuseUndrainedFileQueue(data.resolve("queue"));
        var c = new HikariConfig();
        c.setJdbcUrl(s.url());
        if (s.user() != null) {
            c.setUsername(s.user());
        }
        if (s.password() != null) {
            c.setPassword(s.password());
        }
        c.setPoolName("mailflow-queue");
        // Every connection commits durably whatever the server's setting becomes later (an ALTER
        // SYSTEM and a reload after the start do not reach a session's own SET).
        c.setConnectionInitSql("SET synchronous_commit TO on");
        // Receiving sessions commit, delivery attempts claim and write, the renewer renews.
        c.setMaximumPoolSize(Math.max(8, Math.min(32, queue.deliveryConcurrency() / 2)));
        c.setMinimumIdle(2);
        c.setConnectionTimeout(2_000);
        c.setValidationTimeout(1_000);
        c.setInitializationFailTimeout(-1);
        c.addDataSourceProperty("socketTimeout", "30");
        c.addDataSourceProperty("loginTimeout", "2");
        c.addDataSourceProperty("tcpKeepAlive", "true");
        var pool = new HikariDataSource(c);
        try {
            var store = PostgresQueueStore.open(pool, "PostgreSQL at " + SqlDirectories.redacted(s.url())
                    .replaceFirst("^jdbc:postgresql://", ""), s.nodeId(), s.lease(), data.resolve("spool"));
            return new SharedQueueDatabase(pool, store, s.nodeId());
        } catch (IOException | RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /**
     * For {@code mailflow check}: whether the database answers now, in words, without setting
     * anything up (one connection, a 3-second timeout; the tables come at the first start).
     */
    static String check(QueueConfig.Shared s) {
        var props = new java.util.Properties();
        if (s.user() != null) {
            props.setProperty("user", s.user());
        }
        if (s.password() != null) {
            props.setProperty("password", s.password());
        }
        props.setProperty("loginTimeout", "3");
        props.setProperty("connectTimeout", "3");
        props.setProperty("socketTimeout", "5");
        try (var c = new org.postgresql.Driver().connect(s.url(), props)) {
            if (c == null) {
                return "is NOT a PostgreSQL URL";
            }
            try (var st = c.createStatement()) {
                try (var rs = st.executeQuery("SELECT to_regclass('mailflow_queue') IS NOT NULL")) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        return "answers now (its tables are made at the first start)";
                    }
                }
                try (var rs = st.executeQuery("SELECT (SELECT count(*) FROM mailflow_queue),"
                        + " (SELECT count(*) FROM mailflow_node WHERE heartbeat > now() - interval '2 minutes')")) {
                    rs.next();
                    return "answers now: " + rs.getLong(1) + " message(s) queued, " + rs.getLong(2)
                            + " node(s) with a recent heartbeat";
                }
            }
        } catch (java.sql.SQLException e) {
            return "does NOT answer now: " + dev.mailflow.sql.DatabaseErrors.describe(e)
                    + " (mail would get 451 4.3.0 until it does)";
        }
    }

    /** Mail still in the data directory's file queue would never be delivered once the queue is shared. */
    private static void refuseUndrainedFileQueue(Path fileQueue) throws IOException {
        Path messages = fileQueue.resolve("messages");
        if (!Files.isDirectory(messages)) {
            return;
        }
        long left;
        try (var files = Files.list(messages)) {
            left = files.filter(p -> p.getFileName().toString().endsWith(".msg")).count();
        }
        if (left > 0) {
            throw new IOException("the file queue in " + fileQueue + " still holds " + left + " message(s):"
                    + " let it drain with [queue] store = \"file\" (mailflow queue list) before sharing the queue");
        }
    }

    PostgresQueueStore store() {
        return store;
    }

    /** The rate counters and greylist the nodes share, in the same database. */
    dev.mailflow.server.limits.SharedCounters counters() {
        return new dev.mailflow.server.limits.SharedCounters(new dev.mailflow.server.limits.SqlRateCounters(pool),
                new dev.mailflow.server.limits.SqlGreylist(pool));
    }

    /** The cluster's tracking table (started by the node that writes to it). */
    dev.mailflow.queue.ClusterTracking tracking() {
        return tracking;
    }

    @Override
    public void close() {
        tracking.close();
        store.close();
        pool.close();
    }
}
