package dev.mailflow.server.limits;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.mailflow.queue.PostgresQueueStore;
import dev.mailflow.testing.Postgres;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rate counters and the greylist of a cluster, in a private PostgreSQL, as two nodes see
 * them (two pools, as two processes would have): one limit for both, a triplet greylisted by one
 * node passed by the other after the delay; with the database stopped, each node counts alone
 * and the greylist lets mail pass.
 */
class SharedCountersTest {

    @TempDir
    Path tmp;

    private static HikariDataSource pool(Postgres pg) {
        var c = new HikariConfig();
        c.setJdbcUrl(pg.url("mail"));
        c.setUsername("mailflow");
        c.setConnectionTimeout(1_000);
        c.setMaximumPoolSize(3);
        c.setMinimumIdle(0);
        c.setInitializationFailTimeout(-1);
        return new HikariDataSource(c);
    }

    @Test
    void twoNodesShareOneLimitAndOneGreylist() throws Exception {
        try (var pg = Postgres.start(tmp)) {
            pg.sql("postgres", "CREATE ROLE mailflow LOGIN; CREATE DATABASE mail OWNER mailflow;");
            try (var poolA = pool(pg); var poolB = pool(pg)) {
                PostgresQueueStore.open(poolA, "test", "a", Duration.ofSeconds(30), tmp.resolve("spool")).close();
                var a = new SqlRateCounters(poolA);
                var b = new SqlRateCounters(poolB);
                var now = Instant.now();
                Duration hour = Duration.ofHours(1);
                assertThat(a.tryAcquire("Inbound messages 192.0.2.1", 3, hour, now)).isTrue();
                assertThat(b.tryAcquire("Inbound messages 192.0.2.1", 3, hour, now.plusMillis(1))).isTrue();
                assertThat(a.tryAcquire("Inbound messages 192.0.2.1", 3, hour, now.plusMillis(2))).isTrue();
                assertThat(b.tryAcquire("Inbound messages 192.0.2.1", 3, hour, now.plusMillis(3)))
                        .as("the fourth, on the other node").isFalse();
                assertThat(a.tryAcquire("Inbound messages 192.0.2.2", 3, hour, now)).as("another key").isTrue();
                assertThat(b.tryAcquire("Inbound messages 192.0.2.1", 3, hour, now.plus(hour).plusSeconds(1)))
                        .as("an hour later").isTrue();

                var greyA = new SqlGreylist(poolA);
                var greyB = new SqlGreylist(poolB);
                Duration delay = Duration.ofMinutes(5);
                Duration window = Duration.ofHours(4);
                Duration expiry = Duration.ofDays(35);
                String triplet = "192.0.2.0/24 chris@contoso.com kate@fabrikam.com";
                assertThat(greyA.check(triplet, now, delay, window, expiry)).isEqualTo(new Greylist.Decision.Wait(300));
                assertThat(greyB.check(triplet, now.plusSeconds(60), delay, window, expiry))
                        .as("a retry too soon, on the other node").isEqualTo(new Greylist.Decision.Wait(240));
                assertThat(greyB.check(triplet, now.plusSeconds(301), delay, window, expiry))
                        .as("the retry after the delay, on the other node").isEqualTo(new Greylist.Decision.Pass());
                assertThat(greyA.check(triplet, now.plusSeconds(3600), delay, window, expiry))
                        .as("passed for both").isEqualTo(new Greylist.Decision.Pass());

                pg.stop();
                try {
                    var down = Instant.now();
                    assertThat(a.tryAcquire("Inbound messages 192.0.2.9", 1, hour, down)).isTrue();
                    assertThat(a.tryAcquire("Inbound messages 192.0.2.9", 1, hour, down.plusMillis(1)))
                            .as("this node's own count meanwhile").isFalse();
                    assertThat(greyA.check("192.0.2.0/24 x@y.test z@fabrikam.com", down, delay, window, expiry))
                            .as("no greylisting without its database").isEqualTo(new Greylist.Decision.Pass());
                } finally {
                    pg.startAgain();
                }
            }
        }
    }
}
