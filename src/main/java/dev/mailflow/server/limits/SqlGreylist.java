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
 * The greylist a cluster shares, in its database ({@code mailflow_greylist}), with the rule of
 * {@link Greylist#step}: a client greylisted by one node passes on its retry to another. Each
 * check reads and writes the triplet's row in one transaction (the row locked). When the
 * database cannot be asked, mail passes without greylisting (logged once), as when the journal
 * of one node cannot be opened: greylisting errs towards delivering mail.
 */
public final class SqlGreylist implements Triplets {

    private static final Logger LOG = LoggerFactory.getLogger(SqlGreylist.class);
    private static final Duration CLEANUP = Duration.ofHours(1);

    private final DataSource db;
    private final AtomicLong nextCleanup = new AtomicLong();
    private volatile boolean down;

    public SqlGreylist(DataSource db) {
        this.db = db;
    }

    @Override
    public Greylist.Decision check(String triplet, Instant now, Duration delay, Duration retryWindow,
                                   Duration expiry) {
        long at = now.toEpochMilli();
        try (var c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (var insert = c.prepareStatement("INSERT INTO mailflow_greylist (triplet, first_seen, passed,"
                        + " last_seen) VALUES (?, ?, NULL, ?) ON CONFLICT (triplet) DO NOTHING")) {
                    insert.setString(1, triplet);
                    insert.setTimestamp(2, new Timestamp(0));
                    insert.setTimestamp(3, new Timestamp(0));
                    insert.executeUpdate();
                }
                Greylist.Seen seen;
                try (var select = c.prepareStatement("SELECT first_seen, passed, last_seen FROM mailflow_greylist"
                        + " WHERE triplet = ? FOR UPDATE")) {
                    select.setString(1, triplet);
                    try (var rs = select.executeQuery()) {
                        rs.next();
                        long first = rs.getTimestamp(1).getTime();
                        var passed = rs.getTimestamp(2);
                        seen = first == 0 ? null : new Greylist.Seen(first, passed == null ? 0 : passed.getTime(),
                                rs.getTimestamp(3).getTime());
                    }
                }
                var step = Greylist.step(seen, at, delay, retryWindow, expiry);
                if (step.write() || seen == null) {
                    try (var update = c.prepareStatement("UPDATE mailflow_greylist SET first_seen = ?, passed = ?,"
                            + " last_seen = ? WHERE triplet = ?")) {
                        update.setTimestamp(1, new Timestamp(step.next().firstSeen()));
                        update.setTimestamp(2, step.next().passed() == 0 ? null : new Timestamp(step.next().passed()));
                        update.setTimestamp(3, new Timestamp(step.next().lastSeen()));
                        update.setString(4, triplet);
                        update.executeUpdate();
                    }
                }
                c.commit();
                cleanup(c, now, delay.plus(retryWindow).plus(expiry));
                if (down) {
                    LOG.info("greylist: the shared greylist answers again");
                    down = false;
                }
                return step.decision();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            if (!down) {
                LOG.warn("greylist: the shared greylist cannot be reached ({}); mail passes without greylisting"
                        + " meanwhile", e.getMessage());
                down = true;
            }
            return new Greylist.Decision.Pass();
        }
    }

    /** Triplets not seen for longer than any of them can matter are deleted, once an hour. */
    private void cleanup(java.sql.Connection c, Instant now, Duration keep) throws SQLException {
        long due = nextCleanup.get();
        if (now.toEpochMilli() < due || !nextCleanup.compareAndSet(due, now.toEpochMilli() + CLEANUP.toMillis())) {
            return;
        }
        try (var ps = c.prepareStatement("DELETE FROM mailflow_greylist WHERE last_seen < ?")) {
            ps.setTimestamp(1, Timestamp.from(now.minus(keep)));
            ps.executeUpdate();
        }
    }
}
