package dev.mailflow.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.mailflow.testing.Postgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared queue in a private PostgreSQL, as two nodes in one JVM see it: ids unique across
 * nodes, the content back as written, leases claimed with SKIP LOCKED, renewed, expired and
 * taken over, and a node whose lease was taken over refused when it writes (fencing); the
 * operator's writes wait for a live node's lease; a stopped database is an error that says so.
 */
class PostgresQueueStoreTest {

    @TempDir
    static Path tmp;
    private static Postgres pg;
    private static HikariDataSource pool;

    @BeforeAll
    static void database() throws Exception {
        pg = Postgres.start(tmp);
        pg.sql("postgres", "CREATE ROLE mailflow LOGIN; CREATE DATABASE queue OWNER mailflow;");
        // PostfixAdmin's tables are there already: the migration sets ours up beside them.
        pg.sql("queue", "CREATE TABLE domain (domain varchar(255) PRIMARY KEY); ALTER TABLE domain OWNER TO mailflow;");
        var c = new HikariConfig();
        c.setJdbcUrl(pg.url("queue"));
        c.setUsername("mailflow");
        c.setConnectionTimeout(2_000);
        c.setMaximumPoolSize(6);
        c.setMinimumIdle(0);
        c.setInitializationFailTimeout(-1);
        pool = new HikariDataSource(c);
        PostgresQueueStore.migrate(pool, "PostgreSQL (test)");
    }

    @AfterAll
    static void stop() throws Exception {
        pool.close();
        pg.close();
    }

    @org.junit.jupiter.api.BeforeEach
    void empty() throws Exception {
        pg.sql("queue", "DELETE FROM mailflow_queue;");
    }

    private static PostgresQueueStore node(String id, Duration lease) throws IOException {
        var store = PostgresQueueStore.open(pool, "PostgreSQL (test)", id, lease, tmp.resolve("spool-" + id));
        store.recover();
        return store;
    }

    private static QueuedMessage receive(QueueStore store, String body) throws IOException {
        var in = store.begin();
        in.content().write(("Subject: t\r\n\r\n" + body + "\r\n").getBytes(StandardCharsets.US_ASCII));
        var e = FileQueueStoreTest.envelope(in.id(), body.length() + 17);
        var env = new Envelope(in.id(), "<" + in.id() + "@test>", false, Instant.now(), e.connector(),
                e.clientAddress(), e.heloName(), e.protocol(), e.sender(), e.parameters(), e.recipients(), e.size(),
                null, null, false);
        return in.commit(env);
    }

    @Test
    void messagesAreSharedAndIdsUniqueAcrossNodes() throws Exception {
        try (var a = node("share-a", Duration.ofSeconds(30)); var b = node("share-b", Duration.ofSeconds(30))) {
            var ids = new HashSet<Long>();
            for (int i = 0; i < 5; i++) {
                ids.add(receive(a, "from a " + i).id());
                ids.add(receive(b, "from b " + i).id());
            }
            assertThat(ids).hasSize(10);
            var m = receive(a, "content check");
            assertThat(b.load(m.id()).envelope().messageId()).isEqualTo("<" + m.id() + "@test>");
            try (var content = b.openContent(m.id())) {
                assertThat(new String(content.readAllBytes(), StandardCharsets.US_ASCII)).contains("content check");
            }
            assertThat(a.holds(m.id())).isTrue();
            assertThat(b.holds(m.id())).isFalse();
            assertThat(b.leaseHolders()).containsEntry(m.id(), "share-a");
            assertThat(b.claimDue(100)).as("what a live node holds is not claimed").isEmpty();
            assertThat(a.countByState().get(QueueState.ACTIVE)).isGreaterThanOrEqualTo(11);
            assertThat(b.nodes()).extracting(SharedWork.Node::nodeId).contains("share-a", "share-b");
            for (long id : ids) {
                (a.holds(id) ? a : b).remove(id);
            }
            a.remove(m.id());
            assertThat(a.load(m.id())).isNull();
            a.close();
            var seen = b.nodes().stream().filter(n -> n.nodeId().equals("share-a")).findFirst().orElseThrow();
            assertThat(seen.stopped()).as("a node that closed cleanly says so").isTrue();
            assertThat(seen.alive()).isFalse();
        }
    }

    @Test
    void aRowWithoutAnEnvelopeIsSetAsideInsteadOfFailingAtEveryClaim() throws Exception {
        try (var a = node("corrupt-a", Duration.ofSeconds(30))) {
            var m = receive(a, "to be damaged");
            try (var c = pool.getConnection(); var ps = c.prepareStatement("UPDATE mailflow_queue SET envelope = 'null',"
                    + " lease_owner = NULL, lease_until = NULL, next_attempt = now() WHERE id = ?")) {
                ps.setLong(1, m.id());
                ps.executeUpdate();
            }
            assertThat(a.claimDue(100)).extracting(c -> c.message().id()).doesNotContain(m.id());
            assertThat(a.countByState().get(QueueState.CORRUPT)).isGreaterThanOrEqualTo(1);
            assertThatThrownBy(() -> a.load(m.id())).isInstanceOf(FileQueueStore.CorruptMessageException.class)
                    .hasMessageContaining("it has no envelope or no status");
            try (var b = node("corrupt-b", Duration.ofSeconds(30))) {
                var admin = new QueueAdmin(b, null, null, java.time.Clock.systemUTC());
                var listed = admin.list(QueueState.CORRUPT, 0, 100).messages().stream()
                        .filter(x -> x.id() == m.id()).findFirst().orElseThrow();
                assertThat(listed.lastError()).contains("it has no envelope or no status");
                var deleted = admin.delete(m.id());
                assertThat(deleted.ok()).as(deleted.message()).isTrue();
                assertThat(b.load(m.id())).isNull();
            }
        }
    }

    @Test
    void aStalledNodeCannotOverwriteTheNewOwnersResult() throws Exception {
        var a = node("fence-a", Duration.ofSeconds(1));
        try (var b = node("fence-b", Duration.ofSeconds(30))) {
            var m = receive(a, "fenced");
            assertThat(a.renew()).isEmpty();
            Thread.sleep(1_500); // a stalls past its lease: no renewal
            var claims = b.claimDue(10);
            assertThat(claims).extracting(c -> c.message().id()).containsExactly(m.id());
            assertThat(claims.get(0).mayBeDelivered()).as("a held it before").isTrue();
            var bStatus = b.update(claims.get(0).message(), QueueState.DEFERRED,
                    m.status().scheduled(1, Instant.now(), Instant.now().plusSeconds(600), "b's result"));
            // a wakes up and writes what its attempt found: refused, b's result stands.
            assertThatThrownBy(() -> a.update(m, QueueState.DEFERRED,
                    m.status().scheduled(1, Instant.now(), Instant.now(), "a's stale result")))
                    .isInstanceOf(LeaseLostException.class);
            assertThat(a.holds(m.id())).isFalse();
            assertThatThrownBy(() -> a.remove(m.id())).as("not held: the operator's path, and b holds it")
                    .hasMessageContaining("being delivered by node fence-b");
            assertThat(b.load(m.id()).status().lastError()).isEqualTo("b's result");
            assertThat(b.load(m.id()).status().version()).isEqualTo(bStatus.status().version());
            b.remove(m.id());
        } finally {
            a.close();
        }
    }

    @Test
    void renewalKeepsALeaseAndTellsWhenItWasLost() throws Exception {
        var a = node("renew-a", Duration.ofSeconds(2));
        try (var b = node("renew-b", Duration.ofSeconds(30))) {
            var m = receive(a, "renewed");
            for (int i = 0; i < 4; i++) {
                Thread.sleep(700);
                assertThat(a.renew()).isEmpty();
            }
            assertThat(b.claimDue(10)).as("renewed: still a's").isEmpty();
            Thread.sleep(2_500);
            assertThat(b.claimDue(10)).hasSize(1);
            assertThat(a.renew()).containsExactly(m.id());
            b.remove(m.id());
        } finally {
            a.close();
        }
    }

    @Test
    void theOperatorWaitsForALiveLeaseAndDeferredMessagesGoToWhoeverIsFree() throws Exception {
        try (var a = node("op-a", Duration.ofSeconds(30)); var b = node("op-b", Duration.ofSeconds(30))) {
            var m = receive(a, "operator");
            assertThatThrownBy(() -> b.update(m, QueueState.HOLD, m.status().held("by the operator")))
                    .hasMessageContaining("being delivered by node op-a");
            // a defers it and gives the lease up: due now, b claims it.
            var deferred = a.update(m, QueueState.DEFERRED, m.status().scheduled(1, Instant.now(), Instant.now(), "x"));
            a.release(m.id());
            var claims = b.claimDue(10);
            assertThat(claims).extracting(c -> c.message().state()).containsExactly(QueueState.DEFERRED);
            assertThat(claims.get(0).message().status().version()).isEqualTo(deferred.status().version());
            // on hold, no node works it; the operator (no lease) releases it.
            var held = b.update(claims.get(0).message(), QueueState.HOLD, deferred.status().held("by the operator"));
            assertThat(b.holds(m.id())).isFalse();
            assertThat(a.claimDue(10)).isEmpty();
            a.update(held, QueueState.ACTIVE, held.status().released());
            assertThat(a.claimDue(10)).hasSize(1);
            a.remove(m.id());
        }
    }

    @Test
    void aSecondLiveNodeWithTheSameNameIsRefused() throws Exception {
        try (var a = node("twin", Duration.ofSeconds(3))) {
            var renewing = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 10; i++) {
                    try {
                        Thread.sleep(400);
                        a.renew();
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            assertThatThrownBy(() -> node("twin", Duration.ofSeconds(3)))
                    .hasMessageContaining("node_id \"twin\" is in use by another running node");
            renewing.join();
        }
        // Stopped cleanly: the next start does not wait to see whether it is still alive.
        long start = System.nanoTime();
        try (var again = node("twin", Duration.ofSeconds(30))) {
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            // A twin with a much shorter lease waits one renewal of the live node, not of its own.
            var renewing = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 4; i++) {
                    try {
                        Thread.sleep(5_000); // older than two of the twin's own renewals (1 s) most of the time
                        again.renew();
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            assertThatThrownBy(() -> node("twin", Duration.ofSeconds(3)))
                    .hasMessageContaining("node_id \"twin\" is in use by another running node");
            renewing.interrupt();
            renewing.join();
        }
    }

    @Test
    void aStoppedDatabaseIsAnErrorThatSaysSoAndTheQueueResumes() throws Exception {
        try (var a = node("down-a", Duration.ofSeconds(30))) {
            var before = receive(a, "before");
            pg.stop();
            try {
                assertThatThrownBy(() -> receive(a, "while down"))
                        .isInstanceOf(IOException.class)
                        .hasMessageContaining("the shared queue (PostgreSQL (test)) cannot be used");
            } finally {
                pg.startAgain();
            }
            // The pool's connections from before the restart fail once each and are replaced.
            dev.mailflow.testing.Await.until("the database answers again", () -> {
                try {
                    return a.load(before.id()) != null;
                } catch (IOException e) {
                    return false;
                }
            });
            var after = receive(a, "after");
            assertThat(a.load(after.id())).isNotNull();
            a.remove(before.id());
            a.remove(after.id());
        }
    }
}
