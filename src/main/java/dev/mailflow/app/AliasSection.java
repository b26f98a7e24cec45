package dev.mailflow.app;

import dev.mailflow.directory.Alias;
import dev.mailflow.smtp.MailAddress;
import java.util.ArrayList;
import java.util.List;

/** {@code [[alias]]}: addresses that expand to one or more others. */
final class AliasSection implements ConfigSection<List<Alias>> {

    static final AliasSection SECTION = new AliasSection();

    static final ConfigKey<MailAddress> ADDRESS = Keys.string("address").required()
            .then(Addresses::parse, a -> Keys.quoted(a.toString()));
    static final ConfigKey<List<MailAddress>> RECIPIENTS = Keys.list("recipients", Addresses::parse,
            MailAddress::toString).required();

    private AliasSection() {
    }

    @Override
    public String name() {
        return "alias";
    }

    @Override
    public Shape shape() {
        return Shape.TABLE_LIST;
    }

    @Override
    public List<ConfigKey<?>> keys() {
        return List.of(ADDRESS, RECIPIENTS);
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
    public List<Alias> read(SectionInput in) throws ConfigException {
        var domains = AcceptedDomainSection.names(in.get(AcceptedDomainSection.SECTION));
        var addresses = in.get(MailboxSection.SECTION).addresses();
        var aliases = new ArrayList<Alias>();
        for (var t : in.tables()) {
            var address = t.get(ADDRESS);
            Addresses.requireOurs(t, ADDRESS, address, domains);
            if (!addresses.add(address.key())) {
                throw t.error(ADDRESS, "address " + address + " is defined twice");
            }
            var targets = t.get(RECIPIENTS);
            if (targets.isEmpty()) {
                throw t.error(RECIPIENTS, "an alias needs at least one recipient");
            }
            aliases.add(new Alias(address, targets));
        }
        return List.copyOf(aliases);
    }
}
