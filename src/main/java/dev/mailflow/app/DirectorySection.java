package dev.mailflow.app;

import dev.mailflow.directory.SqlDirectory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * {@code [directory]}: where the accepted domains, mailboxes and aliases come from: this file
 * ({@code provider = "config"}, the default) or PostgreSQL ({@code "postgresql"}, PostfixAdmin's
 * tables, the queries replaceable as in Postfix's pgsql_table(5)).
 */
final class DirectorySection implements ConfigSection<DirectorySection.Settings> {

    static final DirectorySection SECTION = new DirectorySection();

    /**
     * What the table says.
     *
     * @param provider "config" or "postgresql"
     * @param password the database password (from {@code password_file}), or null
     */
    record Settings(String provider, String url, String user, String password, SqlDirectory.Queries queries,
                    Duration cacheTtl, Duration cacheGrace) {
        static final Settings CONFIG = new Settings("config", null, null, null, SqlDirectory.Queries.POSTFIXADMIN,
                Duration.ofSeconds(60), Duration.ofMinutes(5));

        @Override
        public String toString() {
            return "Settings[provider=" + provider + ", url=" + url + ", user=" + user + "]"; // never the password
        }
    }

    static final ConfigKey<String> PROVIDER = Keys.string("provider", "config").then(text -> {
        String v = text.strip().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "config", "postgresql" -> v;
            case "ldap" -> throw new ConfigKey.InvalidValue("\"ldap\" is not available in this version: use \"config\""
                    + " or \"postgresql\"");
            default -> throw new ConfigKey.InvalidValue("must be \"config\" or \"postgresql\"");
        };
    }, Keys::quoted);
    static final ConfigKey<String> URL = Keys.string("url");
    static final ConfigKey<String> USER = Keys.string("user");
    static final ConfigKey<String> PASSWORD_FILE = Keys.string("password_file");
    static final ConfigKey<String> DOMAIN_QUERY = Keys.string("domain_query", SqlDirectory.Queries.POSTFIXADMIN.domain());
    static final ConfigKey<String> MAILBOX_QUERY = Keys.string("mailbox_query",
            SqlDirectory.Queries.POSTFIXADMIN.mailbox());
    static final ConfigKey<String> ALIAS_QUERY = Keys.string("alias_query", SqlDirectory.Queries.POSTFIXADMIN.alias());
    static final ConfigKey<Duration> CACHE_TTL = Keys.duration("cache_ttl", Duration.ofSeconds(60));
    static final ConfigKey<Duration> CACHE_GRACE = Keys.duration("cache_grace", Duration.ofMinutes(5));

    private DirectorySection() {
    }

    @Override
    public String name() {
        return "directory";
    }

    @Override
    public Shape shape() {
        return Shape.TABLE;
    }

    @Override
    public List<ConfigKey<?>> keys() {
        return List.of(PROVIDER, URL, USER, PASSWORD_FILE, DOMAIN_QUERY, MAILBOX_QUERY, ALIAS_QUERY, CACHE_TTL,
                CACHE_GRACE);
    }

    @Override
    public Settings read(SectionInput in) throws ConfigException {
        var t = in.table();
        String provider = t.get(PROVIDER);
        if (provider.equals("config")) {
            for (var key : List.of(URL, USER, PASSWORD_FILE)) {
                if (t.has(key)) {
                    throw t.error(key, "is used only with provider = \"postgresql\"");
                }
            }
            return Settings.CONFIG;
        }
        if (!t.has(URL)) {
            throw t.error(PROVIDER, "provider = \"postgresql\" needs url = \"jdbc:postgresql://HOST:PORT/DATABASE\"");
        }
        String url = t.get(URL);
        if (!url.startsWith("jdbc:postgresql:")) {
            throw t.error(URL, Keys.quoted(url) + " is not a PostgreSQL JDBC URL (jdbc:postgresql://127.0.0.1:5432/mail)");
        }
        String password = null;
        if (t.has(PASSWORD_FILE)) {
            Path file = in.resolve(t.get(PASSWORD_FILE));
            try {
                password = Files.readString(file, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw t.error(PASSWORD_FILE, file + ": " + IoErrors.describe(e));
            }
        }
        var defaults = SqlDirectory.Queries.POSTFIXADMIN;
        var queries = new SqlDirectory.Queries(t.get(DOMAIN_QUERY), t.get(MAILBOX_QUERY), t.get(ALIAS_QUERY),
                defaults.domains(), defaults.mailboxes(), defaults.aliases());
        return new Settings(provider, url, t.get(USER), password, queries, t.get(CACHE_TTL), t.get(CACHE_GRACE));
    }
}
