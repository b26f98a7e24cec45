package dev.mailflow.directory;

import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPSearchException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import dev.mailflow.smtp.AddressParser;
import dev.mailflow.smtp.Domains;
import dev.mailflow.smtp.MailAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directory in an LDAP server, searched as Postfix's {@code ldap_table(5)} does: a
 * {@code query_filter} under a {@code search_base}, where {@code %s} is the whole address,
 * {@code %u} its local part and {@code %d} its domain, each escaped as an assertion value
 * (RFC 4515 3: {@code * ( ) \ NUL}, and control characters), so that an address such as
 * {@code "*)(uid=*"@example.test} is a value to compare, never a piece of the filter.
 *
 * <p>What an entry found for an address means:
 * <ul>
 * <li>its {@code result_attribute} ({@code mail}) is the mailbox: the address is that mailbox
 *     when it is the attribute's (first) value, else an alias of it (the entry's
 *     {@code mailAlternateAddress}, say);</li>
 * <li>with values of the {@code forward_attribute} ({@code mailForwardingAddress}), mail to
 *     any of the entry's addresses goes to those addresses instead (the mailbox still exists
 *     for AUTH and as a sender);</li>
 * <li>several entries for one address: an alias to all of them (as Postfix joins the results);
 *     such an address cannot log in.</li>
 * </ul>
 * The accepted domains are the configuration file's {@code [[accepted_domain]]} (no search for
 * them), and, when a {@code domain_filter} is set, any domain a search with it finds. A domain's
 * catch-all is its {@code catch_all} in the file, else the entry found for {@code @domain}.
 *
 * <p>Passwords are never read: AUTH is a bind as the user's entry ({@link #authenticate}), on
 * connections of its own, never cached. An unknown user costs a bind too (to a DN that does not
 * exist), so that accounts cannot be listed by timing. Lookups are cached as the PostgreSQL
 * provider's are ({@link CachedLookups}): a server that is down gives cached answers within
 * {@code cache_ttl + cache_grace}, else {@link DirectoryUnavailable} (451 4.3.0 at RCPT, 454
 * 4.7.0 at AUTH, a delivery that waits).
 */
public final class LdapDirectory implements Directory {

    private static final Logger LOG = LoggerFactory.getLogger(LdapDirectory.class);

    /** Entries one lookup may return; more is a filter that matches far too much. */
    private static final int LOOKUP_LIMIT = 100;
    /** Entries a listing (checks, the console) shows at most. */
    static final int LISTING_LIMIT = 1_000;

    /** The default {@code query_filter}: inetOrgPerson entries by their mail or an alternate address. */
    public static final String DEFAULT_QUERY_FILTER = "(&(objectClass=inetOrgPerson)(|(mail=%s)(mailAlternateAddress=%s)))";

    /**
     * Where and how entries are found.
     *
     * @param base             the search base of mailboxes and aliases
     * @param scope            "sub", "one" or "base"
     * @param queryFilter      the filter for an address (%s, %u, %d)
     * @param resultAttribute  the attribute holding an entry's mailbox address
     * @param forwardAttribute the attribute holding addresses mail is forwarded to, or null
     * @param domainBase       the search base of domains
     * @param domainFilter     the filter for a domain (%s and %d: the domain), or null: only the file's domains
     * @param domainAttribute  the attribute naming the domain of an entry the domain filter finds (listings)
     */
    public record Search(String base, String scope, String queryFilter, String resultAttribute,
                         String forwardAttribute, String domainBase, String domainFilter, String domainAttribute) {

        public static Search defaults(String base) {
            return new Search(base, "sub", DEFAULT_QUERY_FILTER, "mail", "mailForwardingAddress", base, null,
                    "associatedDomain");
        }

        SearchScope searchScope() {
            return scopeOf(scope);
        }
    }

    /** An entry found for an address: its DN (null for several), its mailbox, and where it forwards to. */
    private record Account(String dn, MailAddress mailbox, List<MailAddress> forwards) {
        /** Where mail to it goes when it is not the mailbox itself. */
        List<MailAddress> targets() {
            return !forwards.isEmpty() ? forwards : mailbox == null ? List.of() : List.of(mailbox);
        }
    }

    private final LdapServers servers;
    private final Search search;
    private final Map<String, AcceptedDomain> listedDomains = new LinkedHashMap<>();
    private final CachedLookups<LDAPException> cache;
    private final String missingDn;

    /**
     * @param listedDomains the accepted domains of the configuration file, known without a search
     */
    public LdapDirectory(LdapServers servers, Search search, List<AcceptedDomain> listedDomains, Duration ttl,
                         Duration grace) {
        this.servers = servers;
        this.search = search;
        for (var d : listedDomains) {
            this.listedDomains.put(Domains.canonical(d.name()), d);
        }
        this.cache = new CachedLookups<>(servers.describe(), LOG, LDAPException.class, LdapServers::describe, ttl,
                grace);
        this.missingDn = search.base().isEmpty() ? "cn=mailflow no such account"
                : "cn=mailflow no such account," + search.base();
    }

    @Override
    public String describe() {
        return servers.describe();
    }

    @Override
    public boolean fromConfigFile() {
        return false;
    }

    // ---- Filters -----------------------------------------------------------------------------

    static SearchScope scopeOf(String scope) {
        return switch (scope) {
            case "sub" -> SearchScope.SUB;
            case "one" -> SearchScope.ONE;
            case "base" -> SearchScope.BASE;
            default -> throw new IllegalArgumentException("scope must be \"sub\", \"one\" or \"base\"");
        };
    }

    /**
     * RFC 4515 3: an assertion value with {@code * ( ) \} and NUL written as {@code \XX}; control
     * characters too, so that nothing in a filter can come from an address unescaped.
     */
    static String escape(String value) {
        var sb = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '*' || c == '(' || c == ')' || c == '\\' || c < 0x20 || c == 0x7f) {
                sb.append('\\').append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /**
     * The filter for one address, as Postfix expands {@code query_filter}: {@code %s}, {@code %u},
     * {@code %d} escaped, {@code %%} a percent sign. Null when the filter needs a local part and
     * the key has none ({@code @domain}): there is then nothing to search, as in Postfix.
     *
     * @param local  the local part, unquoted ("" for {@code @domain})
     * @param domain the domain, canonical
     */
    static String expand(String template, String local, String domain) {
        if (local.isEmpty() && template.contains("%u")) {
            return null;
        }
        String whole = local + "@" + domain;
        return substitute(template, escape(whole), escape(local), escape(domain));
    }

    /** The domain filter for a domain: {@code %s} and {@code %d} are the domain, {@code %u} empty. */
    static String expandDomain(String template, String domain) {
        return substitute(template, escape(domain), "", escape(domain));
    }

    /** The filter with every {@code %s}, {@code %u}, {@code %d} a wildcard, for listings. */
    static String wildcard(String template) {
        return substitute(template, "*", "*", "*");
    }

    private static String substitute(String template, String s, String u, String d) {
        var sb = new StringBuilder(template.length() + 32);
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c == '%' && i + 1 < template.length()) {
                char k = template.charAt(++i);
                switch (k) {
                    case 's' -> sb.append(s);
                    case 'u' -> sb.append(u);
                    case 'd' -> sb.append(d);
                    case '%' -> sb.append('%');
                    default -> throw new IllegalArgumentException("%" + k + " is not one of %s, %u, %d, %%");
                }
            } else if (c == '%') {
                throw new IllegalArgumentException("a lone % at the end (write %% for a percent sign)");
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /**
     * Checks a configured filter: only %s, %u, %d and %%, and valid RFC 4515 syntax once expanded.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static void checkFilter(String template) {
        String sample = substitute(template, "kate@example.test", "kate", "example.test");
        try {
            Filter.create(sample);
            Filter.create(wildcard(template));
        } catch (LDAPException e) {
            throw new IllegalArgumentException("\"" + template + "\" is not an LDAP filter (RFC 4515), such as "
                    + "\"(mail=%s)\"");
        }
    }

    // ---- Lookups ------------------------------------------------------------------------------

    @Override
    public boolean isAcceptedDomain(String domain) {
        if (domain.isEmpty()) {
            return false;
        }
        return listedDomains.containsKey(Domains.canonical(domain)) || acceptedDomain(domain) != null;
    }

    @Override
    public AcceptedDomain acceptedDomain(String domain) {
        if (domain.isEmpty()) {
            return null;
        }
        String d = Domains.canonical(domain);
        var listed = listedDomains.get(d);
        if (listed != null && listed.catchAll() != null) {
            return listed;
        }
        if (listed == null) {
            if (search.domainFilter() == null) {
                return null;
            }
            Optional<Boolean> found = cache.get("domain:" + d, () -> {
                String filter = expandDomain(search.domainFilter(), d);
                return Optional.of(!entries(search.domainBase(), filter, "1.1").isEmpty());
            });
            if (!found.orElse(false)) {
                return null;
            }
        }
        // The catch-all: the entry of "@domain", as Postfix's virtual alias lookup of "@domain".
        var catchAll = account(new MailAddress("", d));
        var targets = catchAll == null ? List.<MailAddress>of() : catchAll.targets();
        return new AcceptedDomain(d, targets.size() == 1 ? targets.get(0) : null);
    }

    /** The entry (or entries) found for an address, cached; null when none. */
    private Account account(MailAddress address) {
        String local = address.unquotedLocalPart();
        String domain = Domains.canonical(address.domain());
        Optional<Account> found = cache.get("account:" + local.toLowerCase(Locale.ROOT) + "@" + domain, () -> {
            String filter = expand(search.queryFilter(), local, domain);
            if (filter == null) {
                return Optional.empty();
            }
            var list = new ArrayList<String>();
            list.add(search.resultAttribute());
            if (search.forwardAttribute() != null) {
                list.add(search.forwardAttribute());
            }
            var accounts = new ArrayList<Account>();
            for (var e : entries(search.base(), filter, list.toArray(String[]::new))) {
                var a = accountOf(e);
                if (a != null) {
                    accounts.add(a);
                }
            }
            if (accounts.size() <= 1) {
                return accounts.stream().findFirst();
            }
            var targets = new LinkedHashSet<MailAddress>();
            accounts.forEach(a -> targets.addAll(a.targets()));
            return Optional.of(new Account(null, null, List.copyOf(targets)));
        });
        return found.orElse(null);
    }

    private Account accountOf(SearchResultEntry e) {
        MailAddress mailbox = null;
        String[] mails = e.getAttributeValues(search.resultAttribute());
        if (mails != null) {
            for (String m : mails) {
                mailbox = AddressParser.parseMailbox(m.strip(), true);
                if (mailbox != null) {
                    break;
                }
            }
        }
        var forwards = new ArrayList<MailAddress>();
        String[] fw = search.forwardAttribute() == null ? null : e.getAttributeValues(search.forwardAttribute());
        if (fw != null) {
            for (String f : fw) {
                var a = AddressParser.parseMailbox(f.strip(), true);
                if (a != null) {
                    forwards.add(a);
                }
            }
        }
        if (mailbox == null && forwards.isEmpty()) {
            return null; // an entry that says nothing about mail
        }
        if (mailbox != null) {
            mailbox = new MailAddress(mailbox.localPart(), Domains.canonical(mailbox.domain()));
        }
        return new Account(e.getDN(), mailbox, List.copyOf(forwards));
    }

    /** The entries of one search (at most {@link #LOOKUP_LIMIT}). */
    private List<SearchResultEntry> entries(String base, String filter, String... attributes) throws LDAPException {
        var request = new SearchRequest(base, search.searchScope(), Filter.create(filter), attributes);
        request.setSizeLimit(LOOKUP_LIMIT);
        request.setTimeLimitSeconds(timeLimitSeconds());
        try {
            return servers.search(request).getSearchEntries();
        } catch (LDAPSearchException e) {
            if (e.getResultCode() == ResultCode.SIZE_LIMIT_EXCEEDED) {
                LOG.warn("directory: {} found more than {} entries for {} under {}: the filter matches too much",
                        servers.describe(), LOOKUP_LIMIT, filter, base);
                return e.getSearchEntries();
            }
            throw e;
        }
    }

    private int timeLimitSeconds() {
        return (int) Math.max(1, servers.settings().timeout().toSeconds());
    }

    @Override
    public Mailbox mailbox(MailAddress address) {
        var a = account(address);
        if (a == null || a.mailbox() == null || !a.mailbox().key().equals(address.key())) {
            return null;
        }
        return new Mailbox(a.mailbox(), null, 0);
    }

    @Override
    public Alias alias(MailAddress address) {
        var a = account(address);
        if (a == null) {
            return null;
        }
        if (!a.forwards().isEmpty() || a.mailbox() == null || !a.mailbox().key().equals(address.key())) {
            var targets = new ArrayList<>(a.targets());
            targets.removeIf(t -> t.key().equals(address.key()));
            return targets.isEmpty() ? null : new Alias(address, targets);
        }
        return null;
    }

    @Override
    public Mailbox postmasterMailbox(String domain) {
        if (domain.isEmpty()) {
            return null;
        }
        var pm = new MailAddress("postmaster", Domains.canonical(domain));
        var alias = alias(pm);
        if (alias != null) {
            return alias.targets().size() == 1 ? mailbox(alias.targets().get(0)) : null;
        }
        return mailbox(pm);
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
        if (alias(recipient) != null) {
            return RecipientStatus.ALIAS; // forwarding wins over the mailbox itself
        }
        if (mailbox(recipient) != null) {
            return RecipientStatus.MAILBOX;
        }
        if (recipient.unquotedLocalPart().equalsIgnoreCase("postmaster")) {
            return RecipientStatus.POSTMASTER;
        }
        return domain.catchAll() != null ? RecipientStatus.CATCH_ALL : RecipientStatus.UNKNOWN_USER;
    }

    // ---- AUTH: a bind as the user ----------------------------------------------------------

    @Override
    public boolean checksPasswords() {
        return true;
    }

    @Override
    public Mailbox authenticate(MailAddress user, String password) {
        Account a = null;
        if (user != null && !user.domain().isEmpty()) {
            a = account(user);
        }
        if (a != null && a.dn() == null) {
            LOG.warn("directory: {} has several entries for {}: it cannot log in", servers.describe(), user);
            a = null;
        }
        String dn = a == null ? missingDn : a.dn();
        boolean accepted;
        try {
            accepted = cache.uncached(() -> servers.bind(dn, password));
        } catch (LDAPException e) {
            throw cache.unavailable("AUTH waits (454 4.7.0)", e);
        }
        if (!accepted || a == null) {
            return null;
        }
        return new Mailbox(a.mailbox() != null ? a.mailbox() : user, null, 0);
    }

    // ---- Listings (checks, the console): straight from the server --------------------------

    @Override
    public List<AcceptedDomain> acceptedDomains() {
        var all = new LinkedHashMap<String, AcceptedDomain>(listedDomains);
        if (search.domainFilter() != null) {
            for (var e : listing(search.domainBase(), wildcard(search.domainFilter()), search.domainAttribute())) {
                String[] names = e.getAttributeValues(search.domainAttribute());
                if (names != null) {
                    for (String n : names) {
                        if (Domains.isValidDomain(n.strip(), true)) {
                            all.putIfAbsent(Domains.canonical(n.strip()), new AcceptedDomain(Domains.canonical(n.strip()),
                                    null));
                        }
                    }
                }
            }
        }
        return List.copyOf(all.values());
    }

    @Override
    public Collection<Mailbox> mailboxes() {
        var found = new HashMap<String, Mailbox>();
        for (var e : listing(search.base(), wildcard(search.queryFilter()), listedAttributes())) {
            var a = accountOf(e);
            if (a != null && a.mailbox() != null && a.forwards().isEmpty()) {
                found.putIfAbsent(a.mailbox().key(), new Mailbox(a.mailbox(), null, 0));
            }
        }
        return List.copyOf(found.values());
    }

    @Override
    public Collection<Alias> aliases() {
        var list = new ArrayList<Alias>();
        for (var e : listing(search.base(), wildcard(search.queryFilter()), listedAttributes())) {
            var a = accountOf(e);
            if (a != null && a.mailbox() != null && !a.forwards().isEmpty()) {
                list.add(new Alias(a.mailbox(), a.forwards()));
            }
        }
        return list;
    }

    private String[] listedAttributes() {
        return search.forwardAttribute() == null ? new String[] {search.resultAttribute()}
                : new String[] {search.resultAttribute(), search.forwardAttribute()};
    }

    private List<SearchResultEntry> listing(String base, String filter, String... attributes) {
        try {
            return cache.uncached(() -> {
                var request = new SearchRequest(base, search.searchScope(), Filter.create(filter), attributes);
                request.setSizeLimit(LISTING_LIMIT);
                request.setTimeLimitSeconds(timeLimitSeconds());
                try {
                    return servers.search(request).getSearchEntries();
                } catch (LDAPSearchException e) {
                    if (e.getResultCode() == ResultCode.SIZE_LIMIT_EXCEEDED) {
                        return e.getSearchEntries(); // the first LISTING_LIMIT: a listing, not a lookup
                    }
                    throw e;
                }
            });
        } catch (LDAPException e) {
            throw cache.unavailable("the listing is not available", e);
        }
    }
}
