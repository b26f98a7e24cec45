package dev.mailflow.app;

import dev.mailflow.directory.AcceptedDomain;
import dev.mailflow.smtp.Domains;
import dev.mailflow.smtp.MailAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/** {@code [[accepted_domain]]}: the domains we take mail for. */
final class AcceptedDomainSection implements ConfigSection<List<AcceptedDomain>> {

    static final AcceptedDomainSection SECTION = new AcceptedDomainSection();

    static final ConfigKey<String> NAME = Keys.string("name").required();
    static final ConfigKey<MailAddress> CATCH_ALL = Keys.string("catch_all").then(Addresses::parse, a -> Keys.quoted(a.toString()));

    private AcceptedDomainSection() {
    }

    @Override
    public String name() {
        return "accepted_domain";
    }

    @Override
    public Shape shape() {
        return Shape.TABLE_LIST;
    }

    @Override
    public List<ConfigKey<?>> keys() {
        return List.of(NAME, CATCH_ALL);
    }

    @Override
    public ConfigKey<?> identity() {
        return NAME;
    }

    @Override
    public String describe(String identity) {
        return "accepted domain " + identity;
    }

    @Override
    public ConfigSection<?> defaultsComeWith() {
        return ReceiveConnectorSection.SECTION;
    }

    @Override
    public List<AcceptedDomain> read(SectionInput in) throws ConfigException {
        var domains = new ArrayList<AcceptedDomain>();
        var names = new HashSet<String>();
        for (var t : in.tables()) {
            String name = t.get(NAME);
            if (!Domains.isValidDomain(name, true)) {
                throw t.error(NAME, "\"" + name + "\" is not a valid domain name");
            }
            if (!names.add(Domains.canonical(name))) {
                throw t.error(NAME, "domain \"" + name + "\" is listed twice");
            }
            domains.add(new AcceptedDomain(Domains.canonical(name), t.get(CATCH_ALL)));
        }
        return List.copyOf(domains);
    }

    /** The canonical names of the domains. */
    static List<String> names(List<AcceptedDomain> domains) {
        return domains.stream().map(AcceptedDomain::name).toList();
    }
}
