package dev.mailflow.directory;

import dev.mailflow.server.auth.Passwords;
import dev.mailflow.smtp.AddressParser;
import dev.mailflow.smtp.Domains;
import dev.mailflow.smtp.MailAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directory in a SQL database, PostfixAdmin's schema by default ({@code domain},
 * {@code mailbox}, {@code alias}, each with an {@code active} flag), the queries replaceable
 * as in Postfix's {@code pgsql_table(5)}: {@code %s} is the whole address, {@code %u} its local
 * part, {@code %d} its domain, each bound as a parameter (never spliced into the SQL).
 *
 * <p>Answers, positive and negative, are cached for {@code ttl} ({@link CachedLookups}, shared
 * with the LDAP provider). When the database does not answer, an answer cached within
 * {@code ttl + grace} is still used and a WARN says the database is down; with none, the
 * lookup throws {@link DirectoryUnavailable} (451 4.3.0, 454 4.7.0 for AUTH, a delivery that
 * waits). After a failure the database is left alone for five seconds, so that a session does
 * not wait the connect timeout at every lookup. Password hashes are Dovecot's: {@code {BLF-CRYPT}} (bcrypt), {@code {SHA512-CRYPT}},
 * {@code {ARGON2ID}} and {@code {PLAIN}}.
 */
public final class SqlDirectory implements Directory {

    private static final Logger LOG = LoggerFactory.getLogger(SqlDirectory.class);

    /** The queries; each returns its columns in the order given. */
    public record Queries(String domain, String mailbox, String alias, String domains, String mailboxes,
                          String aliases) {
        /** PostfixAdmin's tables. */
        public static final Queries POSTFIXADMIN = new Queries(
                "SELECT domain FROM domain WHERE domain = %d AND active = true",
                "SELECT username, password, quota FROM mailbox WHERE username = %s AND active = true",
                "SELECT goto FROM alias WHERE address = %s AND active = true",
                "SELECT domain FROM domain WHERE active = true AND domain <> 'ALL' ORDER BY domain",
                "SELECT username, password, quota FROM mailbox WHERE active = true ORDER BY username",
                "SELECT address, goto FROM alias WHERE active = true ORDER BY address");
    }

    private final DataSource data;
    private final Queries queries;
    private final String where;
    private final CachedLookups<SQLException> cache;

    /**
     * @param where what the database is, for messages ("PostgreSQL at jdbc:postgresql://...")
     */
    public SqlDirectory(DataSource data, Queries queries, String where, Duration ttl, Duration grace) {
        this.data = data;
        this.queries = queries;
        this.where = where;
        this.cache = new CachedLookups<>(where, LOG, SQLException.class, SqlDirectory::describe, SqlDirectory::outage,
                ttl, grace);
    }

    @Override
    public String describe() {
        return where;
    }

    @Override
    public boolean fromConfigFile() {
        return false;
    }

    // ---- Lookups ------------------------------------------------------------------------

    @Override
    public boolean isAcceptedDomain(String domain) {
        return !domain.isEmpty() && acceptedDomain(domain) != null;
    }

    @Override
    public AcceptedDomain acceptedDomain(String domain) {
        String d = Domains.canonical(domain);
        Optional<AcceptedDomain> found = cached("domain:" + d, () -> {
            if (queryOne(queries.domain(), null, d, rs -> rs.getString(1)) == null) {
                return Optional.empty();
            }
            // PostfixAdmin's catch-all is the alias of "@domain".
            String to = queryOne(queries.alias(), "@" + d, d, rs -> rs.getString(1));
            List<MailAddress> targets = targets(to);
            return Optional.of(new AcceptedDomain(d, targets.size() == 1 ? targets.get(0) : null));
        });
        return found.orElse(null);
    }

    @Override
    public Mailbox mailbox(MailAddress address) {
        Optional<Mailbox> found = cached("mailbox:" + address.key(), () -> Optional.ofNullable(queryOne(
                queries.mailbox(), address.key(), Domains.canonical(address.domain()), SqlDirectory::mailboxRow)));
        return found.orElse(null);
    }

    @Override
    public Alias alias(MailAddress address) {
        Optional<Alias> found = cached("alias:" + address.key(), () -> {
            String to = queryOne(queries.alias(), address.key(), Domains.canonical(address.domain()),
                    rs -> rs.getString(1));
            var targets = new ArrayList<>(targets(to));
            // PostfixAdmin keeps an alias of each mailbox to itself: that is the mailbox, not an alias.
            targets.removeIf(t -> t.key().equals(address.key()));
            return targets.isEmpty() ? Optional.empty() : Optional.of(new Alias(address, targets));
        });
        return found.orElse(null);
    }

    @Override
    public Mailbox postmasterMailbox(String domain) {
        if (domain.isEmpty()) {
            return null;
        }
        var pm = new MailAddress("postmaster", Domains.canonical(domain));
        var own = mailbox(pm);
        if (own != null) {
            return own;
        }
        var alias = alias(pm);
        return alias != null && alias.targets().size() == 1 ? mailbox(alias.targets().get(0)) : null;
    }

    @Override
    public RecipientStatus lookup(MailAddress recipient) {
        if (recipient.isBarePostmaster()) {
            return RecipientStatus.POSTMASTER;
        }
        var domain = acceptedDomain(recipient.domain());
        if (domain == null) {
            return RecipientStatus.NOT_OURS;
        }
        if (mailbox(recipient) != null) {
            return RecipientStatus.MAILBOX;
        }
        if (alias(recipient) != null) {
            return RecipientStatus.ALIAS;
        }
        if (recipient.unquotedLocalPart().equalsIgnoreCase("postmaster")) {
            return RecipientStatus.POSTMASTER;
        }
        return domain.catchAll() != null ? RecipientStatus.CATCH_ALL : RecipientStatus.UNKNOWN_USER;
    }

    // ---- Listings (checks, the console): straight from the database -----------------------

    @Override
    public List<AcceptedDomain> acceptedDomains() {
        return queryAll(queries.domains(), rs -> new AcceptedDomain(Domains.canonical(rs.getString(1)), null));
    }

    @Override
    public Collection<Mailbox> mailboxes() {
        return queryAll(queries.mailboxes(), SqlDirectory::mailboxRow).stream()
                .filter(java.util.Objects::nonNull).toList();
    }

    @Override
    public Collection<Alias> aliases() {
        var list = new ArrayList<Alias>();
        for (String[] row : queryAll(queries.aliases(), rs -> new String[] {rs.getString(1), rs.getString(2)})) {
            var address = AddressParser.parseMailbox(row[0], true);
            if (address == null) {
                continue; // a catch-all "@domain", shown with its domain
            }
            var targets = new ArrayList<>(targets(row[1]));
            targets.removeIf(t -> t.key().equals(address.key()));
            if (!targets.isEmpty()) {
                list.add(new Alias(address, targets));
            }
        }
        return list;
    }

    // ---- Queries and the cache --------------------------------------------------------------

    private interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /** A cached answer when fresh; else the database's; else, while it is down, a stale one. */
    private <T> T cached(String key, CachedLookups.Fetch<T, SQLException> fetch) {
        return cache.get(key, fetch);
    }

    /**
     * Whether a failure means the database cannot be used now (no connection, refused login,
     * shutting down, out of resources, no answer in time) rather than that one query or row is
     * wrong (SQLSTATE classes 22 and 42: a bad value, a query that does not fit the tables).
     */
    static boolean outage(SQLException e) {
        if (e instanceof java.sql.SQLTransientConnectionException || e instanceof java.sql.SQLTimeoutException) {
            return true;
        }
        String state = e.getSQLState();
        return state == null || !(state.startsWith("22") || state.startsWith("42") || state.startsWith("21"));
    }

    @Override
    public String checkLookups() {
        String probe = "mailflow-check@example.invalid";
        String[][] queries = {{"domain_query", this.queries.domain()}, {"mailbox_query", this.queries.mailbox()},
            {"alias_query", this.queries.alias()}};
        var problems = new ArrayList<String>();
        for (String[] q : queries) {
            try (Connection c = data.getConnection(); PreparedStatement ps = prepare(c, q[1], probe, "example.invalid");
                 ResultSet rs = ps.executeQuery()) {
                if (q[0].equals("mailbox_query") && rs.getMetaData().getColumnCount() < 2) {
                    problems.add(q[0] + " returns " + rs.getMetaData().getColumnCount()
                            + " column(s); it needs the address and the password (and the quota)");
                }
            } catch (SQLException e) {
                if (outage(e)) {
                    return null; // the database is down: the directory line says so
                }
                problems.add(q[0] + " fails: " + describe(e));
            }
        }
        return problems.isEmpty() ? null : String.join("; ", problems);
    }

    static String describe(SQLException e) {
        return dev.mailflow.sql.DatabaseErrors.describe(e);
    }

    private <T> T queryOne(String sql, String address, String domain, Row<T> row) throws SQLException {
        try (Connection c = data.getConnection(); PreparedStatement ps = prepare(c, sql, address, domain);
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? row.read(rs) : null;
        }
    }

    private <T> List<T> queryAll(String sql, Row<T> row) {
        try {
            return cache.uncached(() -> {
                try (Connection c = data.getConnection(); PreparedStatement ps = c.prepareStatement(sql);
                     ResultSet rs = ps.executeQuery()) {
                    var list = new ArrayList<T>();
                    while (rs.next()) {
                        list.add(row.read(rs));
                    }
                    return list;
                }
            });
        } catch (SQLException e) {
            throw cache.unavailable("the listing is not available", e);
        }
    }

    /** Binds %s, %u and %d as parameters, in the order they appear. */
    static PreparedStatement prepare(Connection c, String sql, String address, String domain) throws SQLException {
        var values = new ArrayList<String>();
        var text = new StringBuilder();
        for (int i = 0; i < sql.length(); i++) {
            char ch = sql.charAt(i);
            if (ch == '%' && i + 1 < sql.length() && "sud".indexOf(sql.charAt(i + 1)) >= 0) {
                char k = sql.charAt(++i);
                String a = address == null ? "" : address;
                int at = a.lastIndexOf('@');
                values.add(switch (k) {
                    case 's' -> a;
                    case 'u' -> at < 0 ? a : a.substring(0, at);
                    default -> domain;
                });
                text.append('?');
            } else {
                text.append(ch);
            }
        }
        var ps = c.prepareStatement(text.toString());
        for (int i = 0; i < values.size(); i++) {
            ps.setString(i + 1, values.get(i));
        }
        return ps;
    }

    private static Mailbox mailboxRow(ResultSet rs) throws SQLException {
        String name = rs.getString(1);
        if (name == null) {
            throw new SQLException("the mailbox query returned a row without an address (NULL in its first column)",
                    "22004");
        }
        var address = AddressParser.parseMailbox(name, true);
        if (address == null) {
            return null;
        }
        long quota = rs.getMetaData().getColumnCount() >= 3 ? rs.getLong(3) : 0;
        return new Mailbox(address, password(rs.getString(2), address), Math.max(0, quota));
    }

    /**
     * Dovecot's password forms as Mailflow checks them: {@code {BLF-CRYPT}$2y$...} is bcrypt,
     * {@code {SHA512-CRYPT}$6$...} SHA-512 crypt, {@code {ARGON2ID}$argon2id$...} Argon2id,
     * {@code {CRYPT}} one of those by its own prefix, {@code {PLAIN}text} plain text; a scheme
     * Mailflow cannot check (or a value that does not have its scheme's form) leaves the account
     * without a password (AUTH refused) and says so.
     */
    static String password(String stored, MailAddress who) {
        var parsed = Passwords.Stored.of(stored, false);
        if (parsed.problem() != null) {
            LOG.warn("directory: the password of {} cannot be used: {}; AUTH as {} is refused", who, parsed.problem(),
                    who);
        }
        return parsed.value();
    }

    private static List<MailAddress> targets(String gotoColumn) {
        if (gotoColumn == null || gotoColumn.isBlank()) {
            return List.of();
        }
        var list = new ArrayList<MailAddress>();
        for (String t : gotoColumn.split(",")) {
            var a = AddressParser.parseMailbox(t.strip(), true);
            if (a != null) {
                list.add(a);
            }
        }
        return list;
    }
}
