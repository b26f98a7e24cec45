package dev.mailflow.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A database that is down is left alone for a moment; a query or row that is wrong is not an outage. */
class CachedLookupsTest {

    private final AtomicInteger asked = new AtomicInteger();

    private CachedLookups<SQLException> lookups() {
        return new CachedLookups<>("test", LoggerFactory.getLogger(CachedLookupsTest.class), SQLException.class,
                SqlDirectory::describe, SqlDirectory::outage, Duration.ofMinutes(1), Duration.ofMinutes(5));
    }

    @Test
    void aBadRowFailsOnlyItsOwnLookup() {
        var cache = lookups();
        assertThatThrownBy(() -> cache.get("mailbox:bad@x", () -> {
            asked.incrementAndGet();
            throw new SQLException("Bad value for type long : abc", "22003");
        })).isInstanceOf(DirectoryUnavailable.class);
        assertThat(cache.<String>get("mailbox:kate@x", () -> {
            asked.incrementAndGet();
            return "kate";
        })).as("the next lookup still asks the database").isEqualTo("kate");
        assertThat(asked).hasValue(2);
    }

    @Test
    void aRefusedConnectionLeavesTheDatabaseAloneForAMoment() {
        var cache = lookups();
        assertThatThrownBy(() -> cache.get("mailbox:a@x", () -> {
            asked.incrementAndGet();
            throw new SQLException("Connection refused", "08001");
        })).isInstanceOf(DirectoryUnavailable.class);
        assertThatThrownBy(() -> cache.get("mailbox:b@x", () -> {
            asked.incrementAndGet();
            return "b";
        })).isInstanceOf(DirectoryUnavailable.class);
        assertThat(asked).as("not asked again within the back-off").hasValue(1);
    }

    @Test
    void outagesAndWrongQueriesAreToldApart() {
        assertThat(SqlDirectory.outage(new SQLException("x", "08006"))).isTrue();
        assertThat(SqlDirectory.outage(new SQLException("x", "28P01"))).isTrue();
        assertThat(SqlDirectory.outage(new SQLException("x", "53300"))).isTrue();
        assertThat(SqlDirectory.outage(new java.sql.SQLTransientConnectionException("pool timeout"))).isTrue();
        assertThat(SqlDirectory.outage(new SQLException("column \"x\" does not exist", "42703"))).isFalse();
        assertThat(SqlDirectory.outage(new SQLException("The column index is out of range", "22023"))).isFalse();
    }
}
