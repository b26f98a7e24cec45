package dev.mailflow.app;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.mailflow.directory.SqlDirectory;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The connection pools of the SQL directory (HikariCP over the PostgreSQL JDBC driver), one per
 * URL and user, shared by the configurations loaded (a reload keeps the pool): connections are
 * opened on first use, time out in two seconds, and none is kept idle for long. A reload with
 * the same [directory] settings keeps the directory itself, and so its cache.
 */
final class SqlDirectories {

    private static final Map<String, HikariDataSource> POOLS = new ConcurrentHashMap<>();

    /**
     * The directory of each settings: a reload that leaves [directory] as it was keeps the
     * directory and its cache, so that answers cached before a database failure still serve
     * (cache_grace) after the reload.
     */
    private static final Map<DirectorySection.Settings, SqlDirectory> DIRECTORIES = new ConcurrentHashMap<>();

    private SqlDirectories() {
    }

    static SqlDirectory open(DirectorySection.Settings s) {
        return DIRECTORIES.computeIfAbsent(s, SqlDirectories::make);
    }

    private static SqlDirectory make(DirectorySection.Settings s) {
        var pool = POOLS.computeIfAbsent(s.url() + "\u0000" + s.user() + "\u0000" + s.password(), k -> {
            var c = new HikariConfig();
            c.setJdbcUrl(s.url());
            if (s.user() != null) {
                c.setUsername(s.user());
            }
            if (s.password() != null) {
                c.setPassword(s.password());
            }
            c.setPoolName("mailflow-directory");
            c.setMaximumPoolSize(8);
            c.setMinimumIdle(0);
            c.setIdleTimeout(60_000);
            c.setConnectionTimeout(2_000);
            c.setValidationTimeout(1_000);
            c.setInitializationFailTimeout(-1); // start even when the database is down: lookups wait
            c.setReadOnly(true);
            c.addDataSourceProperty("socketTimeout", "5");
            c.addDataSourceProperty("loginTimeout", "2");
            return new HikariDataSource(c);
        });
        return new SqlDirectory(pool, s.queries(), "PostgreSQL at " + redacted(s.url()), s.cacheTtl(), s.cacheGrace());
    }

    /** The URL without a password in it. */
    static String redacted(String url) {
        return url.replaceAll("(?i)(password=)[^&]*", "$1***");
    }
}
