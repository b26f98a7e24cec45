package dev.mailflow.queue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue in PostgreSQL, shared by the nodes of a cluster ({@code [queue] store =
 * "postgresql"}): one row per message with its envelope, status and content, leased to the node
 * that delivers it ({@link SharedWork}).
 *
 * <p>Receiving writes the content to a file in the node's own spool first (the checks at the
 * end of data read it there), then one INSERT, committed with {@code synchronous_commit} on,
 * makes it durable: the 250 follows the COMMIT. Delivery reads the content once from the
 * database into the spool's cache and removes it there when the message leaves this node.
 *
 * <p>Every write of a node that holds a message's lease names the generation it claimed; a row
 * with another generation was claimed since by another node, and the write is refused. Writes
 * without a lease (the operator's hold, release, delete) go through only while no live node
 * holds the message.
 */
public final class PostgresQueueStore implements QueueStore, SharedWork {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresQueueStore.class);
    private static final String COLUMNS = "id, state, envelope, status";

    private final DataSource db;
    private final String where;
    private final String nodeId;
    private final Duration lease;
    private final Path incoming;
    private final Path cache;
    private final String incarnation;
    private final boolean forceSynchronousCommit;
    /** Leases this node holds: message id to the generation it claimed. */
    private final Map<Long, Long> held = new ConcurrentHashMap<>();
    private long nextId;
    private long lastIdOfBlock = -1;

    private PostgresQueueStore(DataSource db, String where, String nodeId, Duration lease, Path spool,
                               boolean forceSynchronousCommit) throws IOException {
        this.db = db;
        this.where = where;
        this.nodeId = nodeId;
        this.lease = lease;
        this.incoming = Files.createDirectories(spool.resolve("incoming"));
        this.cache = Files.createDirectories(spool.resolve("cache"));
        byte[] random = new byte[8];
        new SecureRandom().nextBytes(random);
        this.incarnation = HexFormat.of().formatHex(random);
        this.forceSynchronousCommit = forceSynchronousCommit;
    }

    /**
     * Opens the shared queue: applies the schema migrations (Flyway) and checks that commits
     * are durable.
     *
     * @param where  the database in words, for errors ("PostgreSQL at 127.0.0.1:5432/mail")
     * @param spool  this node's own directory for content being received and read
     */
    public static PostgresQueueStore open(DataSource db, String where, String nodeId, Duration lease, Path spool)
            throws IOException {
        migrate(db, where);
        boolean force;
        try (var c = db.getConnection(); var s = c.createStatement(); var rs = s.executeQuery("SHOW synchronous_commit")) {
            rs.next();
            String setting = rs.getString(1);
            force = setting.equalsIgnoreCase("off");
            if (force) {
                LOG.info("queue: {} has synchronous_commit = off; the queue's commits turn it on for themselves",
                        where);
            }
        } catch (SQLException e) {
            throw unavailable(where, e);
        }
        return new PostgresQueueStore(db, where, nodeId, lease, spool, force);
    }

    /** Flyway, with its history in {@code mailflow_schema_history}, beside tables others own (PostfixAdmin's). */
    static void migrate(DataSource db, String where) throws IOException {
        try {
            Flyway.configure().dataSource(db).locations("classpath:db/mailflow").table("mailflow_schema_history")
                    .baselineOnMigrate(true).baselineVersion("0").load().migrate();
        } catch (RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            if (root instanceof SQLException sql) {
                throw unavailable(where, sql);
            }
            throw new SharedQueueUnavailable("the shared queue's tables in " + where + " cannot be set up: "
                    + dev.mailflow.sql.DatabaseErrors.describe(e));
        }
    }

    static IOException unavailable(String where, SQLException e) {
        return new SharedQueueUnavailable("the shared queue (" + where + ") cannot be used: "
                + dev.mailflow.sql.DatabaseErrors.describe(e));
    }

    /** The shared queue's database could not be used: the message says why, in words. */
    public static final class SharedQueueUnavailable extends IOException {
        public SharedQueueUnavailable(String message) {
            super(message);
        }
    }

    private IOException unavailable(SQLException e) {
        return unavailable(where, e);
    }

    // ---- SharedWork ------------------------------------------------------------------------

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public Duration lease() {
        return lease;
    }

    private double leaseSeconds() {
        return lease.toMillis() / 1000.0;
    }

    @Override
    public List<Claim> claimDue(int max) throws IOException {
        if (max <= 0) {
            return List.of();
        }
        String sql = "UPDATE mailflow_queue q SET lease_owner = ?, lease_until = now() + make_interval(secs => ?),"
                + " generation = q.generation + 1 FROM (SELECT id FROM mailflow_queue WHERE state IN ('active',"
                + " 'deferred') AND next_attempt <= now() AND (lease_owner IS NULL OR lease_until < now())"
                + " ORDER BY next_attempt LIMIT ? FOR UPDATE SKIP LOCKED) due WHERE q.id = due.id"
                + " RETURNING q.id, q.state, q.envelope, q.status, q.generation";
        var claims = new ArrayList<Claim>();
        try (var c = db.getConnection(); var ps = c.prepareStatement(sql)) {
            ps.setString(1, nodeId);
            ps.setDouble(2, leaseSeconds());
            ps.setInt(3, max);
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    long generation = rs.getLong("generation");
                    QueuedMessage m = rowOrSetAside(c, rs);
                    if (m == null) {
                        continue;
                    }
                    held.put(m.id(), generation);
                    claims.add(new Claim(m, generation > 1));
                }
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
        return claims;
    }

    /** The row's message; or, when it cannot be read, null and the row set aside as corrupt (never retried). */
    private QueuedMessage rowOrSetAside(Connection c, ResultSet rs) throws SQLException {
        try {
            return row(rs);
        } catch (IOException e) {
            LOG.error("queue: message {} cannot be read from the database: {}", rs.getLong("id"), e.getMessage());
            markCorrupt(c, rs.getLong("id"));
            return null;
        }
    }

    private void markCorrupt(Connection c, long id) {
        try (var ps = c.prepareStatement("UPDATE mailflow_queue SET state = 'corrupt', lease_owner = NULL,"
                + " lease_until = NULL WHERE id = ?")) {
            ps.setLong(1, id);
            ps.executeUpdate();
        } catch (SQLException e) {
            LOG.warn("queue: could not mark message {} corrupt: {}", id, e.getMessage());
        }
    }

    @Override
    public Set<Long> renew() throws IOException {
        var sent = new HashMap<>(held);
        var lost = new HashSet<Long>();
        try (var c = db.getConnection()) {
            try (var ps = c.prepareStatement("UPDATE mailflow_node SET heartbeat = now() WHERE node_id = ?"
                    + " AND incarnation = ?")) {
                ps.setString(1, nodeId);
                ps.setString(2, incarnation);
                if (ps.executeUpdate() == 0) {
                    LOG.error("queue: another node has started with node_id {}: give each node its own [queue] node_id",
                            nodeId);
                }
            }
            if (sent.isEmpty()) {
                return lost;
            }
            var returned = new HashMap<Long, Long>();
            try (var ps = c.prepareStatement("UPDATE mailflow_queue SET lease_until = now() + make_interval(secs => ?)"
                    + " WHERE lease_owner = ? AND id = ANY(?) RETURNING id, generation")) {
                ps.setDouble(1, leaseSeconds());
                ps.setString(2, nodeId);
                ps.setArray(3, c.createArrayOf("bigint", sent.keySet().toArray()));
                try (var rs = ps.executeQuery()) {
                    while (rs.next()) {
                        returned.put(rs.getLong(1), rs.getLong(2));
                    }
                }
            }
            for (var e : sent.entrySet()) {
                if (!e.getValue().equals(returned.get(e.getKey()))) {
                    lost.add(e.getKey());
                    held.remove(e.getKey(), e.getValue());
                }
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
        return lost;
    }

    @Override
    public boolean holds(long id) {
        return held.containsKey(id);
    }

    @Override
    public void release(long id) {
        Long generation = held.remove(id);
        dropCache(id);
        if (generation == null) {
            return;
        }
        try (var c = db.getConnection(); var ps = c.prepareStatement("UPDATE mailflow_queue SET lease_owner = NULL,"
                + " lease_until = NULL WHERE id = ? AND lease_owner = ? AND generation = ?")) {
            ps.setLong(1, id);
            ps.setString(2, nodeId);
            ps.setLong(3, generation);
            ps.executeUpdate();
        } catch (SQLException e) {
            LOG.warn("queue: message {}: lease not given up ({}); it expires by itself", id, e.getMessage());
        }
    }

    @Override
    public void forget(long id) {
        held.remove(id);
        dropCache(id);
    }

    @Override
    public Map<Long, String> leaseHolders() throws IOException {
        var map = new HashMap<Long, String>();
        try (var c = db.getConnection(); var s = c.createStatement(); var rs = s.executeQuery(
                "SELECT id, lease_owner FROM mailflow_queue WHERE lease_owner IS NOT NULL AND lease_until >= now()")) {
            while (rs.next()) {
                map.put(rs.getLong(1), rs.getString(2));
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
        return map;
    }

    @Override
    public List<Node> nodes() throws IOException {
        var list = new ArrayList<Node>();
        try (var c = db.getConnection(); var ps = c.prepareStatement("SELECT node_id, hostname, version, started_at,"
                + " heartbeat, stopped_at IS NULL AND heartbeat > now() - make_interval(secs => ?) AS alive,"
                + " stopped_at IS NOT NULL FROM mailflow_node ORDER BY node_id")) {
            ps.setDouble(1, leaseSeconds());
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    list.add(new Node(rs.getString(1), rs.getString(2), rs.getString(3), instant(rs.getTimestamp(4)),
                            instant(rs.getTimestamp(5)), rs.getBoolean(6), rs.getBoolean(7)));
                }
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
        return list;
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    /**
     * Registers this node. When the database shows the same node_id with a fresh heartbeat, it
     * waits one heartbeat interval: a node that crashed and restarted finds the heartbeat still;
     * a second live node with this node_id moves it meanwhile, and this one refuses to start.
     */
    private void register() throws IOException {
        try (var c = db.getConnection()) {
            var seen = heartbeatOf(c);
            if (seen != null) {
                // Alive a moment ago and not stopped cleanly: a crash just now, or a twin. Wait one
                // renewal of whichever renews less often, and see whether its heartbeat moves.
                Duration wait = seen.renew().compareTo(renewInterval()) > 0 ? seen.renew() : renewInterval();
                try {
                    Thread.sleep(wait.plusSeconds(1).toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while starting");
                }
                var again = heartbeatOf(c);
                if (again != null && !again.heartbeat().equals(seen.heartbeat())) {
                    throw new SharedQueueUnavailable("[queue] node_id \"" + nodeId + "\" is in use by another running node"
                            + " (its heartbeat moves): give each node its own node_id");
                }
            }
            try (var ps = c.prepareStatement("INSERT INTO mailflow_node (node_id, hostname, version, incarnation,"
                    + " started_at, heartbeat, stopped_at, renew_ms) VALUES (?, ?, ?, ?, now(), now(), NULL, ?)"
                    + " ON CONFLICT (node_id) DO UPDATE SET hostname = excluded.hostname, version = excluded.version,"
                    + " incarnation = excluded.incarnation, started_at = excluded.started_at,"
                    + " heartbeat = excluded.heartbeat, stopped_at = NULL, renew_ms = excluded.renew_ms")) {
                ps.setString(1, nodeId);
                ps.setString(2, hostname());
                ps.setString(3, dev.mailflow.MailflowVersion.get());
                ps.setString(4, incarnation);
                ps.setLong(5, renewInterval().toMillis());
                ps.executeUpdate();
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /** A heartbeat of this node_id, as text, and how often its node renews it. */
    private record Heartbeat(String heartbeat, Duration renew) {
    }

    /**
     * The heartbeat of this node_id when its node has not stopped cleanly and the heartbeat is
     * younger than two of its renewals (or of ours, when longer); else null.
     */
    private Heartbeat heartbeatOf(Connection c) throws SQLException {
        try (var ps = c.prepareStatement("SELECT heartbeat::text, coalesce(renew_ms, 0) FROM mailflow_node"
                + " WHERE node_id = ? AND stopped_at IS NULL AND heartbeat > now() - make_interval(secs =>"
                + " greatest(coalesce(renew_ms, 0), ?) * 2 / 1000.0)")) {
            ps.setString(1, nodeId);
            ps.setLong(2, renewInterval().toMillis());
            try (var rs = ps.executeQuery()) {
                return rs.next() ? new Heartbeat(rs.getString(1), Duration.ofMillis(rs.getLong(2))) : null;
            }
        }
    }

    /** How often the owner renews its leases and heartbeat: a third of the lease. */
    public Duration renewInterval() {
        return lease.dividedBy(3);
    }

    private static String hostname() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    // ---- QueueStore ------------------------------------------------------------------------

    @Override
    public SharedWork shared() {
        return this;
    }

    @Override
    public Incoming begin() throws IOException {
        long id = nextId();
        Path file = incoming.resolve(id + ".tmp");
        return new DatabaseIncoming(id, file, FileChannel.open(file, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, StandardOpenOption.READ));
    }

    /** Ids from the database's sequence, a block of 1,000 at a time: unique across the nodes. */
    private synchronized long nextId() throws IOException {
        if (nextId > lastIdOfBlock) {
            try (var c = db.getConnection(); var s = c.createStatement();
                 var rs = s.executeQuery("SELECT nextval('mailflow_queue_ids')")) {
                rs.next();
                nextId = rs.getLong(1);
                lastIdOfBlock = nextId + 999;
            } catch (SQLException e) {
                throw unavailable(e);
            }
        }
        return nextId++;
    }

    private final class DatabaseIncoming extends SpooledIncoming {

        DatabaseIncoming(long id, Path file, FileChannel channel) {
            super(id, file, channel);
        }

        @Override
        public QueuedMessage commit(Envelope envelope) throws IOException {
            beginCommit();
            var status = DeliveryStatus.initial(envelope);
            try {
                out.flush();
                long length = channel.position();
                close(channel);
                insert(envelope, status, length);
                held.put(id, 1L);
                Files.move(file, cache.resolve(String.valueOf(id)), StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException | RuntimeException e) {
                close(channel);
                Files.deleteIfExists(file);
                throw e;
            }
            return new QueuedMessage(id, QueueState.ACTIVE, envelope, status);
        }

        /**
         * One INSERT in its own transaction. A connection the database closed (a restart) is
         * replaced once; when the retry finds the row there, the first COMMIT had happened.
         */
        private void insert(Envelope envelope, DeliveryStatus status, long length) throws IOException {
            try {
                insertOnce(envelope, status, length);
            } catch (SQLException e) {
                if (!brokenConnection(e)) {
                    throw unavailable(e);
                }
                try {
                    insertOnce(envelope, status, length);
                } catch (SQLException again) {
                    if (!"23505".equals(again.getSQLState())) {
                        throw unavailable(again);
                    }
                }
            }
        }

        private void insertOnce(Envelope envelope, DeliveryStatus status, long length) throws SQLException,
                IOException {
            try (var c = db.getConnection()) {
                c.setAutoCommit(false);
                try {
                    if (forceSynchronousCommit) {
                        try (var s = c.createStatement()) {
                            s.execute("SET LOCAL synchronous_commit TO on");
                        }
                    }
                    try (var ps = c.prepareStatement("INSERT INTO mailflow_queue (id, state, envelope, status, content,"
                            + " size, received_at, accepted_by, next_attempt, lease_owner, lease_until, generation)"
                            + " VALUES (?, 'active', ?, ?, ?, ?, ?, ?, now(), ?, now() + make_interval(secs => ?), 1)");
                         InputStream in = Files.newInputStream(file)) {
                        ps.setLong(1, id);
                        ps.setString(2, QueueJson.MAPPER.writeValueAsString(envelope));
                        ps.setString(3, QueueJson.MAPPER.writeValueAsString(status));
                        ps.setBinaryStream(4, in, length);
                        ps.setLong(5, envelope.size());
                        ps.setTimestamp(6, Timestamp.from(envelope.receivedAt()));
                        ps.setString(7, nodeId);
                        ps.setString(8, nodeId);
                        ps.setDouble(9, leaseSeconds());
                        ps.executeUpdate();
                    }
                    c.commit();
                } catch (SQLException | IOException e) {
                    rollback(c);
                    throw e;
                } finally {
                    c.setAutoCommit(true);
                }
            }
            // A COMMIT whose answer was lost may still have happened: the message is then
            // delivered although the client heard 451 and may send it again (RFC 5321 6.1
            // accepts that duplicate; it never accepts a loss).
        }
    }

    /** A connection the server closed or lost (SQLSTATE class 08, or 57P01-57P03: shut down, restarting). */
    static boolean brokenConnection(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("08") || state.startsWith("57P0"));
    }

    private static void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            LOG.debug("rollback: {}", e.getMessage());
        }
    }

    private static void close(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            LOG.debug("close: {}", e.toString());
        }
    }

    @Override
    public List<RecoveredMessage> recover() throws IOException {
        try (var files = Files.newDirectoryStream(incoming)) {
            for (Path f : files) {
                LOG.info("removing incomplete incoming message {} (it was never acknowledged)", f.getFileName());
                Files.deleteIfExists(f);
            }
        }
        try (var files = Files.newDirectoryStream(cache)) {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
        }
        register();
        // What this node held when it stopped (a crash): taken over at once, as maybe delivered.
        var result = new ArrayList<RecoveredMessage>();
        try (var c = db.getConnection(); var ps = c.prepareStatement("UPDATE mailflow_queue SET generation ="
                + " generation + 1, lease_until = now() + make_interval(secs => ?) WHERE lease_owner = ?"
                + " RETURNING " + COLUMNS + ", generation")) {
            ps.setDouble(1, leaseSeconds());
            ps.setString(2, nodeId);
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    QueuedMessage m = rowOrSetAside(c, rs);
                    if (m == null) {
                        continue;
                    }
                    held.put(m.id(), rs.getLong("generation"));
                    result.add(RecoveredMessage.of(m));
                }
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
        return result;
    }

    @Override
    public List<QueuedMessage> list(QueueState state) throws IOException {
        var result = new ArrayList<QueuedMessage>();
        String sql = "SELECT " + COLUMNS + " FROM mailflow_queue" + (state == null ? "" : " WHERE state = ?")
                + " ORDER BY id";
        try (var c = db.getConnection(); var ps = c.prepareStatement(sql)) {
            if (state != null) {
                ps.setString(1, state.directory());
            }
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    try {
                        result.add(row(rs));
                    } catch (IOException e) {
                        LOG.warn("queue: message {} cannot be read: {}", rs.getLong("id"), e.getMessage());
                    }
                }
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
        return result;
    }

    @Override
    public QueuedMessage load(long id) throws IOException {
        try (var c = db.getConnection(); var ps = c.prepareStatement("SELECT " + COLUMNS
                + " FROM mailflow_queue WHERE id = ?")) {
            ps.setLong(1, id);
            try (var rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                try {
                    return row(rs);
                } catch (IOException e) {
                    throw new FileQueueStore.CorruptMessageException("message " + id + " cannot be read from the "
                            + "database: " + e.getMessage());
                }
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    private static QueuedMessage row(ResultSet rs) throws SQLException, IOException {
        var state = QueueState.valueOf(rs.getString("state").toUpperCase(Locale.ROOT));
        String envelopeJson = rs.getString("envelope");
        String statusJson = rs.getString("status");
        Envelope envelope;
        DeliveryStatus status;
        try {
            envelope = envelopeJson == null ? null : QueueJson.MAPPER.readValue(envelopeJson, Envelope.class);
            status = statusJson == null ? null : QueueJson.MAPPER.readValue(statusJson, DeliveryStatus.class);
        } catch (IOException e) {
            throw new IOException("its envelope or status is not readable JSON (" + e.getClass().getSimpleName() + ")");
        }
        if (envelope == null || status == null || envelope.recipients() == null || envelope.sender() == null) {
            // A row written by hand or damaged: never delivered, kept for the operator (state corrupt).
            throw new IOException("it has no envelope or no status");
        }
        return new QueuedMessage(rs.getLong("id"), state, envelope, status);
    }

    @Override
    public InputStream openContent(long id) throws IOException {
        Path file = cache.resolve(String.valueOf(id));
        if (!Files.exists(file)) {
            Path tmp = cache.resolve(id + "." + Thread.currentThread().threadId() + ".tmp");
            try (var c = db.getConnection(); var ps = c.prepareStatement("SELECT content FROM mailflow_queue WHERE id = ?")) {
                ps.setLong(1, id);
                try (var rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new java.nio.file.NoSuchFileException("message " + id + " is no longer in the queue");
                    }
                    try (InputStream in = rs.getBinaryStream(1)) {
                        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (SQLException e) {
                Files.deleteIfExists(tmp);
                throw unavailable(e);
            }
        }
        return new java.io.BufferedInputStream(Files.newInputStream(file), 16 * 1024);
    }

    private void dropCache(long id) {
        try {
            Files.deleteIfExists(cache.resolve(String.valueOf(id)));
        } catch (IOException e) {
            LOG.debug("cache of {}: {}", id, e.toString());
        }
    }

    @Override
    public QueuedMessage update(QueuedMessage message, QueueState state, DeliveryStatus status) throws IOException {
        if (state == QueueState.INCOMING) {
            throw new IllegalArgumentException("a committed message cannot go back to incoming");
        }
        var next = status.nextVersion();
        long id = message.id();
        Long generation = held.get(id);
        // On hold (or corrupt) no node works it: the lease goes with the write.
        boolean release = state == QueueState.HOLD || state == QueueState.CORRUPT;
        // The next attempt as a delay from the database's clock, which every node's claims compare
        // with: a node whose own clock is off does not make a message due at once (or hours late).
        String set = "UPDATE mailflow_queue SET state = ?, status = ?,"
                + " next_attempt = COALESCE(now() + make_interval(secs => ?::double precision), now())"
                + (release ? ", lease_owner = NULL, lease_until = NULL" : "");
        try (var c = db.getConnection()) {
            int rows;
            try (var ps = c.prepareStatement(set + (generation != null
                    ? " WHERE id = ? AND lease_owner = ? AND generation = ?"
                    : " WHERE id = ? AND (lease_owner IS NULL OR lease_until < now())"))) {
                ps.setString(1, state.directory());
                ps.setString(2, QueueJson.MAPPER.writeValueAsString(next));
                if (next.nextAttempt() == null) {
                    ps.setNull(3, java.sql.Types.DOUBLE);
                } else {
                    ps.setDouble(3, java.time.Duration.between(java.time.Instant.now(), next.nextAttempt()).toMillis()
                            / 1000.0);
                }
                ps.setLong(4, id);
                if (generation != null) {
                    ps.setString(5, nodeId);
                    ps.setLong(6, generation);
                }
                rows = ps.executeUpdate();
            }
            if (rows == 0) {
                if (generation != null) {
                    held.remove(id, generation);
                    dropCache(id);
                    throw new LeaseLostException(id, "another node took it over (this node's lease expired)");
                }
                throw busy(c, id);
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
        if (release) {
            held.remove(id);
            dropCache(id);
        }
        return new QueuedMessage(id, state, message.envelope(), next);
    }

    /** Why a write without a lease did not go through: the message is gone, or a live node has it. */
    private IOException busy(Connection c, long id) throws SQLException {
        try (var ps = c.prepareStatement("SELECT lease_owner FROM mailflow_queue WHERE id = ?")) {
            ps.setLong(1, id);
            try (var rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return new java.nio.file.NoSuchFileException("message " + id + " is no longer in the queue");
                }
                return new IOException("message " + id + " is being delivered by node " + rs.getString(1)
                        + " just now; try again in a moment");
            }
        }
    }

    @Override
    public void remove(long id) throws IOException {
        Long generation = held.get(id);
        try (var c = db.getConnection()) {
            int rows;
            try (var ps = c.prepareStatement("DELETE FROM mailflow_queue" + (generation != null
                    ? " WHERE id = ? AND lease_owner = ? AND generation = ?"
                    : " WHERE id = ? AND (lease_owner IS NULL OR lease_until < now())"))) {
                ps.setLong(1, id);
                if (generation != null) {
                    ps.setString(2, nodeId);
                    ps.setLong(3, generation);
                }
                rows = ps.executeUpdate();
            }
            if (rows == 0) {
                if (generation != null) {
                    held.remove(id, generation);
                    dropCache(id);
                    throw new LeaseLostException(id, "another node took it over before it was removed");
                }
                var why = busy(c, id);
                if (!(why instanceof java.nio.file.NoSuchFileException)) {
                    throw why;
                }
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
        held.remove(id);
        dropCache(id);
    }

    @Override
    public List<Long> ids(QueueState state, long afterId, int limit) throws IOException {
        var ids = new ArrayList<Long>();
        try (var c = db.getConnection(); var ps = c.prepareStatement("SELECT id FROM mailflow_queue WHERE id > ?"
                + (state == null ? "" : " AND state = ?") + " ORDER BY id" + (limit > 0 ? " LIMIT " + limit : ""))) {
            ps.setLong(1, afterId);
            if (state != null) {
                ps.setString(2, state.name().toLowerCase(Locale.ROOT));
            }
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
        return ids;
    }

    @Override
    public Map<QueueState, Integer> countByState() throws IOException {
        var counts = new EnumMap<QueueState, Integer>(QueueState.class);
        try (var c = db.getConnection(); var s = c.createStatement();
             var rs = s.executeQuery("SELECT state, count(*) FROM mailflow_queue GROUP BY state")) {
            while (rs.next()) {
                counts.put(QueueState.valueOf(rs.getString(1).toUpperCase(Locale.ROOT)), rs.getInt(2));
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
        return counts;
    }

    /** The node's spool holds each message while it is received: its disk is what MAIL checks. */
    @Override
    public long usableSpace() {
        return incoming.toFile().getUsableSpace();
    }

    /** Gives up every lease this node still holds, so that the other nodes take the messages at once. */
    @Override
    public void close() {
        try (var c = db.getConnection(); var ps = c.prepareStatement("UPDATE mailflow_node SET stopped_at = now()"
                + " WHERE node_id = ? AND incarnation = ?")) {
            ps.setString(1, nodeId);
            ps.setString(2, incarnation);
            ps.executeUpdate();
        } catch (SQLException e) {
            LOG.debug("queue: could not mark node {} stopped: {}", nodeId, e.getMessage());
        }
        if (held.isEmpty()) {
            return;
        }
        try (var c = db.getConnection(); var ps = c.prepareStatement("UPDATE mailflow_queue SET lease_owner = NULL,"
                + " lease_until = NULL WHERE lease_owner = ? AND id = ANY(?)")) {
            ps.setString(1, nodeId);
            ps.setArray(2, c.createArrayOf("bigint", held.keySet().toArray()));
            int n = ps.executeUpdate();
            LOG.info("queue: {} lease(s) given up for the other nodes", n);
        } catch (SQLException e) {
            LOG.warn("queue: leases not given up ({}); they expire by themselves", e.getMessage());
        }
        held.clear();
    }

    /** Where the database is, in words. */
    public String where() {
        return where;
    }
}
