package dev.mailflow.app;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.LDAPURL;
import dev.mailflow.directory.LdapDirectory;
import dev.mailflow.directory.LdapServers;
import dev.mailflow.directory.SqlDirectory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code [directory]}: where the accepted domains, mailboxes and aliases come from: this file
 * ({@code provider = "config"}, the default), PostgreSQL ({@code "postgresql"}, PostfixAdmin's
 * tables, the queries replaceable as in Postfix's pgsql_table(5)) or an LDAP server
 * ({@code "ldap"}, searched as Postfix's ldap_table(5) does, AUTH by a bind as the user).
 */
final class DirectorySection implements ConfigSection<DirectorySection.Settings> {

    static final DirectorySection SECTION = new DirectorySection();

    /**
     * What the table says.
     *
     * @param provider "config", "postgresql" or "ldap"
     * @param password the database password (from {@code password_file}), or null
     * @param ldap     with "ldap": the servers and searches; else null
     */
    record Settings(String provider, String url, String user, String password, SqlDirectory.Queries queries,
                    Duration cacheTtl, Duration cacheGrace, Ldap ldap) {
        static final Settings CONFIG = new Settings("config", null, null, null, SqlDirectory.Queries.POSTFIXADMIN,
                Duration.ofSeconds(60), Duration.ofMinutes(5), null);

        @Override
        public String toString() {
            return "Settings[provider=" + provider + ", url=" + url + ", user=" + user + "]"; // never the password
        }
    }

    /**
     * The LDAP provider's settings.
     *
     * @param caFile the {@code ca_file}, or null: the system's CAs only
     * @param ca     its certificates (read at load, so that a reload notices a new CA)
     */
    record Ldap(List<LDAPURL> urls, boolean startTls, Path caFile, List<X509Certificate> ca, String bindDn,
                String bindPassword, Duration connectTimeout, Duration timeout, LdapDirectory.Search search) {
        @Override
        public String toString() {
            return "Ldap[urls=" + urls + ", bindDn=" + bindDn + ", search=" + search + "]"; // never the password
        }
    }

    static final ConfigKey<String> PROVIDER = Keys.string("provider", "config").then(text -> {
        String v = text.strip().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "config", "postgresql", "ldap" -> v;
            default -> throw new ConfigKey.InvalidValue("must be \"config\", \"postgresql\" or \"ldap\"");
        };
    }, Keys::quoted);
    static final ConfigKey<String> URL = Keys.string("url");
    static final ConfigKey<String> USER = Keys.string("user");
    static final ConfigKey<String> PASSWORD_FILE = Keys.string("password_file");
    static final ConfigKey<String> DOMAIN_QUERY = Keys.string("domain_query", SqlDirectory.Queries.POSTFIXADMIN.domain());
    static final ConfigKey<String> MAILBOX_QUERY = Keys.string("mailbox_query",
            SqlDirectory.Queries.POSTFIXADMIN.mailbox());
    static final ConfigKey<String> ALIAS_QUERY = Keys.string("alias_query", SqlDirectory.Queries.POSTFIXADMIN.alias());

    // LDAP, named after Postfix's ldap_table(5) where it has the same thing.
    static final ConfigKey<Boolean> START_TLS = Keys.bool("start_tls", false);
    static final ConfigKey<String> CA_FILE = Keys.string("ca_file");
    static final ConfigKey<String> BIND_DN = Keys.string("bind_dn");
    static final ConfigKey<String> BIND_PASSWORD_FILE = Keys.string("bind_password_file");
    static final ConfigKey<String> SEARCH_BASE = Keys.string("search_base");
    static final ConfigKey<String> SCOPE = Keys.string("scope", "sub").then(text -> {
        String v = text.strip().toLowerCase(Locale.ROOT);
        if (!List.of("sub", "one", "base").contains(v)) {
            throw new ConfigKey.InvalidValue("must be \"sub\", \"one\" or \"base\"");
        }
        return v;
    }, Keys::quoted);
    static final ConfigKey<String> QUERY_FILTER = Keys.string("query_filter", LdapDirectory.DEFAULT_QUERY_FILTER);
    static final ConfigKey<String> RESULT_ATTRIBUTE = Keys.string("result_attribute", "mail");
    static final ConfigKey<String> FORWARD_ATTRIBUTE = Keys.string("forward_attribute", "mailForwardingAddress");
    static final ConfigKey<String> DOMAIN_SEARCH_BASE = Keys.string("domain_search_base");
    static final ConfigKey<String> DOMAIN_FILTER = Keys.string("domain_filter");
    static final ConfigKey<String> DOMAIN_ATTRIBUTE = Keys.string("domain_attribute", "associatedDomain");
    static final ConfigKey<Duration> CONNECT_TIMEOUT = Keys.duration("connect_timeout", Duration.ofSeconds(2));
    static final ConfigKey<Duration> TIMEOUT = Keys.duration("timeout", Duration.ofSeconds(5));

    static final ConfigKey<Duration> CACHE_TTL = Keys.duration("cache_ttl", Duration.ofSeconds(60));
    static final ConfigKey<Duration> CACHE_GRACE = Keys.duration("cache_grace", Duration.ofMinutes(5));

    private static final List<ConfigKey<?>> POSTGRESQL_ONLY = List.of(USER, PASSWORD_FILE, DOMAIN_QUERY,
            MAILBOX_QUERY, ALIAS_QUERY);
    private static final List<ConfigKey<?>> LDAP_ONLY = List.of(START_TLS, CA_FILE, BIND_DN, BIND_PASSWORD_FILE,
            SEARCH_BASE, SCOPE, QUERY_FILTER, RESULT_ATTRIBUTE, FORWARD_ATTRIBUTE, DOMAIN_SEARCH_BASE, DOMAIN_FILTER,
            DOMAIN_ATTRIBUTE, CONNECT_TIMEOUT, TIMEOUT);

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
        var keys = new ArrayList<ConfigKey<?>>(List.of(PROVIDER, URL));
        keys.addAll(POSTGRESQL_ONLY);
        keys.addAll(LDAP_ONLY);
        keys.addAll(List.of(CACHE_TTL, CACHE_GRACE));
        return List.copyOf(keys);
    }

    @Override
    public Settings read(SectionInput in) throws ConfigException {
        var t = in.table();
        String provider = t.get(PROVIDER);
        switch (provider) {
            case "config" -> {
                only(t, "postgresql", POSTGRESQL_ONLY);
                only(t, "ldap", LDAP_ONLY);
                if (t.has(URL)) {
                    throw t.error(URL, "is used only with provider = \"postgresql\" or \"ldap\"");
                }
                return Settings.CONFIG;
            }
            case "postgresql" -> {
                only(t, "ldap", LDAP_ONLY);
                return postgresql(in, t);
            }
            default -> {
                only(t, "postgresql", POSTGRESQL_ONLY);
                return new Settings(provider, t.get(URL), null, null, SqlDirectory.Queries.POSTFIXADMIN,
                        t.get(CACHE_TTL), t.get(CACHE_GRACE), ldap(in, t));
            }
        }
    }

    private static void only(ConfigTable t, String provider, List<ConfigKey<?>> keys) throws ConfigException {
        for (var key : keys) {
            if (t.has(key)) {
                throw t.error(key, "is used only with provider = \"" + provider + "\"");
            }
        }
    }

    private static Settings postgresql(SectionInput in, ConfigTable t) throws ConfigException {
        if (!t.has(URL)) {
            throw t.error(PROVIDER, "provider = \"postgresql\" needs url = \"jdbc:postgresql://HOST:PORT/DATABASE\"");
        }
        String url = t.get(URL);
        if (!url.startsWith("jdbc:postgresql:")) {
            throw t.error(URL, Keys.quoted(url) + " is not a PostgreSQL JDBC URL (jdbc:postgresql://127.0.0.1:5432/mail)");
        }
        String password = t.has(PASSWORD_FILE) ? PasswordFiles.read(in, t, PASSWORD_FILE) : null;
        var defaults = SqlDirectory.Queries.POSTFIXADMIN;
        var queries = new SqlDirectory.Queries(t.get(DOMAIN_QUERY), t.get(MAILBOX_QUERY), t.get(ALIAS_QUERY),
                defaults.domains(), defaults.mailboxes(), defaults.aliases());
        return new Settings("postgresql", url, t.get(USER), password, queries, t.get(CACHE_TTL), t.get(CACHE_GRACE),
                null);
    }

    private static Ldap ldap(SectionInput in, ConfigTable t) throws ConfigException {
        if (!t.has(URL)) {
            throw t.error(PROVIDER, "provider = \"ldap\" needs url = \"ldap://HOST:PORT\" (or ldaps://HOST:PORT)");
        }
        var urls = new ArrayList<LDAPURL>();
        for (String one : t.get(URL).strip().split("[\\s,]+")) {
            if (one.isEmpty()) {
                continue;
            }
            try {
                urls.add(LdapServers.parseUrl(one));
            } catch (IllegalArgumentException e) {
                throw t.error(URL, e.getMessage());
            }
        }
        if (urls.isEmpty()) {
            throw t.error(URL, "names no server (ldap://HOST:PORT)");
        }
        boolean startTls = t.get(START_TLS);
        if (startTls && urls.stream().noneMatch(u -> u.getScheme().equals("ldap"))) {
            throw t.error(START_TLS, "is for ldap:// servers; ldaps:// is TLS from the start (leave start_tls out)");
        }
        if (!t.has(SEARCH_BASE)) {
            throw t.error(PROVIDER, "provider = \"ldap\" needs search_base = \"ou=people,dc=example,dc=test\"");
        }
        String base = dn(t, SEARCH_BASE);
        String bindDn = t.has(BIND_DN) ? dn(t, BIND_DN) : null;
        String bindPassword = null;
        if (t.has(BIND_PASSWORD_FILE)) {
            if (bindDn == null) {
                throw t.error(BIND_PASSWORD_FILE, "is the password of bind_dn, which is not set");
            }
            bindPassword = PasswordFiles.read(in, t, BIND_PASSWORD_FILE);
        } else if (bindDn != null) {
            throw t.error(BIND_DN, "needs bind_password_file (a DN with an empty password is an anonymous bind)");
        }
        Path caFile = null;
        List<X509Certificate> ca = List.of();
        if (t.has(CA_FILE)) {
            caFile = in.resolve(t.get(CA_FILE));
            try {
                ca = CaCertificates.read(caFile);
            } catch (ConfigKey.InvalidValue e) {
                throw t.error(CA_FILE, e.getMessage());
            }
        }
        String queryFilter = filter(t, QUERY_FILTER);
        String domainFilter = t.has(DOMAIN_FILTER) ? filter(t, DOMAIN_FILTER) : null;
        if (domainFilter == null && in.get(AcceptedDomainSection.SECTION).isEmpty()) {
            throw t.error(PROVIDER, "provider = \"ldap\" needs its accepted domains: [[accepted_domain]] tables in "
                    + "this file, or domain_filter (a search for them)");
        }
        String forward = t.get(FORWARD_ATTRIBUTE).strip();
        var search = new LdapDirectory.Search(base, t.get(SCOPE), queryFilter, attribute(t, RESULT_ATTRIBUTE),
                forward.isEmpty() ? null : attribute(t, FORWARD_ATTRIBUTE),
                t.has(DOMAIN_SEARCH_BASE) ? dn(t, DOMAIN_SEARCH_BASE) : base, domainFilter,
                attribute(t, DOMAIN_ATTRIBUTE));
        return new Ldap(List.copyOf(urls), startTls, caFile, ca, bindDn, bindPassword, t.get(CONNECT_TIMEOUT),
                t.get(TIMEOUT), search);
    }

    private static String dn(ConfigTable t, ConfigKey<String> key) throws ConfigException {
        String dn = t.get(key).strip();
        if (!DN.isValidDN(dn)) {
            throw t.error(key, Keys.quoted(dn) + " is not a DN (RFC 4514), such as \"ou=people,dc=example,dc=test\"");
        }
        return dn;
    }

    private static String filter(ConfigTable t, ConfigKey<String> key) throws ConfigException {
        String filter = t.get(key).strip();
        try {
            LdapDirectory.checkFilter(filter);
        } catch (IllegalArgumentException e) {
            throw t.error(key, e.getMessage());
        }
        return filter;
    }

    private static String attribute(ConfigTable t, ConfigKey<String> key) throws ConfigException {
        String name = t.get(key).strip();
        if (!name.matches("[A-Za-z][A-Za-z0-9-]*|[0-9]+(\\.[0-9]+)+")) {
            throw t.error(key, Keys.quoted(name) + " is not an attribute name, such as \"mail\"");
        }
        return name;
    }
}
