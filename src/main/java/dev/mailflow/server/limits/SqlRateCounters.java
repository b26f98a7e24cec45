package dev.mailflow.server.limits;

import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rate counters a cluster shares, in its database ({@code mailflow_rate_event}): one row per
 * counted event, counted over the window under a transaction-scoped advisory lock on the key, so
 * that two nodes never both take the last one. When the database cannot be asked, this node's
 * own counters decide meanwhile (a limit per node rather than none; mail is never refused
 * because the counters could not be read).
 */
public final class SqlRateCounters implements RateCounters {

    private static final Logger LOG = LoggerFactory.getLogger(SqlRateCounters.class);
    /** How often old events are deleted; the longest window is kept. */
    private static final Duration CLEANUP = Duration.ofMinutes(5);

    private final DataSource db;
    private final SlidingWindowCounters fallback = new SlidingWindowCounters();
    private final AtomicLong nextCleanup = new AtomicLong();
    private volatile long longestWindowMillis = Duration.ofHours(1).toMillis();
    private volatile boolean down;

    public SqlRateCounters(DataSource db) {
        this.db = db;
    }

    @Override
    public boolean tryAcquire(String key, int limit, Duration window, Instant now) {
        longestWindowMillis = Math.max(longestWindowMillis, window.toMillis());
        try (var c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                boolean counted;
                try (var lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 7))")) {
                    lock.setString(1, key);
                    lock.execute();
                }
                try (var count = c.prepareStatement("SELECT count(*) FROM mailflow_rate_event WHERE key = ?"
                        + " AND at > ?")) {
                    count.setString(1, key);
                    count.setTimestamp(2, Timestamp.from(now.minus(window)));
                    try (var rs = count.executeQuery()) {
                        rs.next();
                        counted = rs.getLong(1) < limit;
                    }
                }
                if (counted) {
                    try (var insert = c.prepareStatement("INSERT INTO mailflow_rate_event (key, at) VALUES (?, ?)")) {
                        insert.setString(1, key);
                        insert.setTimestamp(2, Timestamp.from(now));
                        insert.executeUpdate();
                    }
                }
                c.commit();
                cleanup(c, now);
                if (down) {
                    LOG.info("rate limits: the shared counters answer again");
                    down = false;
                }
                return counted;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            if (!down) {
                LOG.warn("rate limits: the shared counters cannot be reached ({}); this node counts alone meanwhile",
                        e.getMessage());
                down = true;
            }
            return fallback.tryAcquire(key, limit, window, now);
        }
    }

    private void cleanup(java.sql.Connection c, Instant now) throws SQLException {
        long due = nextCleanup.get();
        if (now.toEpochMilli() < due || !nextCleanup.compareAndSet(due, now.toEpochMilli() + CLEANUP.toMillis())) {
            return;
        }
        try (var ps = c.prepareStatement("DELETE FROM mailflow_rate_event WHERE at < ?")) {
            ps.setTimestamp(1, Timestamp.from(now.minusMillis(longestWindowMillis)));
            ps.executeUpdate();
        }
    }
}
