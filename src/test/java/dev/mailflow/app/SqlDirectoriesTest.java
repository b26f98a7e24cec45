package dev.mailflow.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.directory.SqlDirectory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A reload with the same [directory] keeps the directory, and with it the cache that serves while the database is down. */
class SqlDirectoriesTest {

    private static DirectorySection.Settings settings(Duration ttl) {
        return new DirectorySection.Settings("postgresql", "jdbc:postgresql://127.0.0.1:9/mail", "mailflow", "pw",
                SqlDirectory.Queries.POSTFIXADMIN, ttl, Duration.ofMinutes(5), null);
    }

    @Test
    void theSameSettingsGiveTheSameDirectory() {
        var first = SqlDirectories.open(settings(Duration.ofSeconds(60)));
        assertThat(SqlDirectories.open(settings(Duration.ofSeconds(60)))).isSameAs(first);
        assertThat(SqlDirectories.open(settings(Duration.ofSeconds(30)))).as("a changed cache_ttl: a new one")
                .isNotSameAs(first);
    }
}
