package dev.mailflow.app;

import dev.mailflow.directory.Alias;
import dev.mailflow.directory.Mailbox;
import dev.mailflow.server.auth.Passwords;
import dev.mailflow.smtp.MailAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code [[mailbox]]}: the local mailboxes, their passwords and their own aliases. */
final class MailboxSection implements ConfigSection<MailboxSection.Mailboxes> {

    private static final Logger LOG = LoggerFactory.getLogger(MailboxSection.class);

    static final MailboxSection SECTION = new MailboxSection();

    static final ConfigKey<MailAddress> ADDRESS = Keys.string("address").required()
            .then(Addresses::parse, a -> Keys.quoted(a.toString()));
    static final ConfigKey<String> PASSWORD = Keys.string("password").secret();
    static final ConfigKey<List<MailAddress>> ALIASES = Keys.list("aliases", Addresses::parse, MailAddress::toString);
    static final ConfigKey<Long> QUOTA = Keys.size("quota", null);

    /**
     * @param mailboxes the mailboxes
     * @param aliases   the aliases listed with them, each to its one mailbox
     */
    record Mailboxes(List<Mailbox> mailboxes, List<Alias> aliases) {

        /** Every address defined so far, by {@link MailAddress#key()}. */
        Set<String> addresses() {
            var all = new HashSet<String>();
            mailboxes.forEach(m -> all.add(m.address().key()));
            aliases.forEach(a -> all.add(a.address().key()));
            return all;
        }
    }

    private MailboxSection() {
    }

    @Override
    public String name() {
        return "mailbox";
    }

    @Override
    public Shape shape() {
        return Shape.TABLE_LIST;
    }

    @Override
    public List<ConfigKey<?>> keys() {
        return List.of(ADDRESS, PASSWORD, ALIASES, QUOTA);
    }

    @Override
    public ConfigKey<?> identity() {
        return ADDRESS;
    }

    @Override
    public ConfigSection<?> defaultsComeWith() {
        return ReceiveConnectorSection.SECTION;
    }

    @Override
    public Mailboxes read(SectionInput in) throws ConfigException {
        var domains = AcceptedDomainSection.names(in.get(AcceptedDomainSection.SECTION));
        var mailboxes = new ArrayList<Mailbox>();
        var aliases = new ArrayList<Alias>();
        var addresses = new HashSet<String>();
        for (var t : in.tables()) {
            var address = t.get(ADDRESS);
            Addresses.requireOurs(t, ADDRESS, address, domains);
            if (!addresses.add(address.key())) {
                throw t.error(ADDRESS, "address " + address + " is defined twice");
            }
            String password = t.get(PASSWORD);
            if (password != null) {
                // Dovecot's form ('mailflow passwd --dovecot', a row copied from a table) works here too.
                var stored = Passwords.Stored.of(password);
                if (stored.problem() != null) {
                    throw t.error(PASSWORD, "the password of " + address + " cannot be used: " + stored.problem());
                }
                password = stored.value();
            }
            Long quota = t.get(QUOTA);
            mailboxes.add(new Mailbox(address, password, quota == null ? 0 : quota));
            for (var alias : t.get(ALIASES)) {
                Addresses.requireOurs(t, ALIASES, alias, domains);
                if (!addresses.add(alias.key())) {
                    throw t.error(ALIASES, "address " + alias + " is defined twice");
                }
                aliases.add(new Alias(alias, List.of(address)));
            }
            if (password != null && !Passwords.isHash(password)) {
                LOG.warn("{}: the password of {} is in plain text; put a hash from 'mailflow passwd' instead",
                        t.source(), address);
            }
        }
        return new Mailboxes(List.copyOf(mailboxes), List.copyOf(aliases));
    }
}
