package dev.mailflow.queue;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tracking events of a whole cluster, in the shared queue's database
 * ({@code mailflow_tracking}), so that {@code mailflow track} and the console on any node see
 * every node's events. Each node still writes its own file log first; the database gets the
 * same events in batches, from a bounded buffer, off the delivery path: a database that is down
 * delays them (up to 10,000 events kept, then the oldest are dropped from the shared copy only).
 */
public final class ClusterTracking implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterTracking.class);
    private static final int BUFFER = 10_000;
    private static final int BATCH = 500;

    private final DataSource db;
    private final String nodeId;
    private final BlockingQueue<TrackingEvent> pending = new ArrayBlockingQueue<>(BUFFER);
    private volatile boolean closed;
    private Thread writer;
    private long dropped;

    public ClusterTracking(DataSource db, String nodeId) {
        this.db = db;
        this.nodeId = nodeId;
    }

    /** Starts writing what {@link #record} is given. */
    public ClusterTracking start() {
        writer = Thread.ofVirtual().name("cluster-tracking").start(this::writeLoop);
        return this;
    }

    /** Takes an event for the shared log; never blocks. */
    public void record(TrackingEvent event) {
        while (!pending.offer(event)) {
            if (pending.poll() != null) {
                synchronized (this) {
                    dropped++;
                }
            }
        }
    }

    private void writeLoop() {
        var batch = new ArrayList<TrackingEvent>();
        boolean down = false;
        while (true) {
            try {
                var first = pending.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closed) {
                        return;
                    }
                    continue;
                }
                batch.add(first);
                pending.drainTo(batch, BATCH - 1);
            } catch (InterruptedException e) {
                return;
            }
            try {
                insert(batch);
                batch.clear();
                if (down) {
                    LOG.info("tracking: the cluster's tracking table is written again");
                    down = false;
                }
            } catch (IOException | SQLException e) {
                if (!down) {
                    LOG.warn("tracking: the cluster's tracking table cannot be written ({}); events wait",
                            e.getMessage());
                    down = true;
                }
                // Back in front of what came meanwhile, as far as the buffer holds them.
                var again = new ArrayList<>(batch);
                batch.clear();
                pending.drainTo(again);
                again.forEach(this::record);
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException ie) {
                    return;
                }
                if (closed) {
                    return;
                }
            }
        }
    }

    private void insert(List<TrackingEvent> batch) throws IOException, SQLException {
        try (var c = db.getConnection(); var ps = c.prepareStatement(
                "INSERT INTO mailflow_tracking (at, node_id, queue_id, event) VALUES (?, ?, ?, ?)")) {
            for (var e : batch) {
                ps.setTimestamp(1, Timestamp.from(e.time()));
                ps.setString(2, nodeId);
                ps.setLong(3, e.id());
                ps.setString(4, QueueJson.MAPPER.writeValueAsString(e));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Events of every node matching the filter, oldest first, since {@code since} (or all). */
    public List<TrackingEvent> search(Instant since, Predicate<TrackingEvent> filter) throws IOException {
        return search(db, since, filter);
    }

    /** As {@link #search(Instant, Predicate)}, for a command that does not run a node. */
    public static List<TrackingEvent> search(DataSource db, Instant since, Predicate<TrackingEvent> filter)
            throws IOException {
        var result = new ArrayList<TrackingEvent>();
        try (var c = db.getConnection(); var ps = c.prepareStatement("SELECT event FROM mailflow_tracking"
                + (since == null ? "" : " WHERE at >= ?") + " ORDER BY at, seq")) {
            if (since != null) {
                ps.setTimestamp(1, Timestamp.from(since));
            }
            ps.setFetchSize(1_000);
            c.setAutoCommit(false); // the driver streams rows only inside a transaction
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    TrackingEvent e;
                    try {
                        e = QueueJson.MAPPER.readValue(rs.getString(1), TrackingEvent.class);
                    } catch (IOException ex) {
                        continue;
                    }
                    if (filter.test(e)) {
                        result.add(e);
                    }
                }
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IOException("the cluster's tracking table cannot be read: " + e.getMessage());
        }
        return result;
    }

    /** Writes what is left (for up to two seconds), then stops. */
    @Override
    public void close() {
        closed = true;
        if (writer != null) {
            try {
                writer.join(java.time.Duration.ofSeconds(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            writer.interrupt();
        }
        synchronized (this) {
            if (dropped > 0) {
                LOG.warn("tracking: {} event(s) were not written to the cluster's table (its node log has them)",
                        dropped);
            }
        }
    }
}
