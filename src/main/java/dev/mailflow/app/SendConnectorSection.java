package dev.mailflow.app;

import dev.mailflow.delivery.remote.SendConnector;
import dev.mailflow.smtp.Domains;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;

/** {@code [[send_connector]]}: smart hosts for some or all domains. */
final class SendConnectorSection implements ConfigSection<List<SendConnector>> {

    static final SendConnectorSection SECTION = new SendConnectorSection();

    static final ConfigKey<String> NAME = Keys.string("name").required();
    static final ConfigKey<List<String>> DOMAINS = Keys.strings("domains").required();
    static final ConfigKey<InetSocketAddress> SMART_HOST = Keys.string("smart_host").required()
            .then(text -> SocketAddresses.hostAndPort(text, 25), a -> Keys.quoted(a.getHostString() + ":" + a.getPort()));
    static final ConfigKey<Boolean> REQUIRE_TLS = Keys.bool("require_tls", false);
    static final ConfigKey<String> USERNAME = Keys.string("username");
    static final ConfigKey<String> PASSWORD = Keys.string("password").secret();

    private SendConnectorSection() {
    }

    @Override
    public String name() {
        return "send_connector";
    }

    @Override
    public Shape shape() {
        return Shape.TABLE_LIST;
    }

    @Override
    public List<ConfigKey<?>> keys() {
        return List.of(NAME, DOMAINS, SMART_HOST, REQUIRE_TLS, USERNAME, PASSWORD);
    }

    @Override
    public ConfigKey<?> identity() {
        return NAME;
    }

    @Override
    public String describe(String identity) {
        return "send connector " + Keys.quoted(identity);
    }

    @Override
    public List<SendConnector> read(SectionInput in) throws ConfigException {
        var connectors = new ArrayList<SendConnector>();
        var names = new HashSet<String>();
        for (var t : in.tables()) {
            String name = t.get(NAME);
            if (!names.add(name.toLowerCase(Locale.ROOT))) {
                throw t.error(NAME, "duplicate send connector name \"" + name + "\"");
            }
            var domains = t.get(DOMAINS);
            if (domains.isEmpty()) {
                throw t.error(DOMAINS, "list the domains it serves, or [\"*\"] for all");
            }
            for (String d : domains) {
                String bare = d.startsWith(".") ? d.substring(1) : d;
                if (!d.equals("*") && !Domains.isValidDomain(bare, true)) {
                    throw t.error(DOMAINS, "\"" + d + "\" is not a domain, \".domain\" or \"*\"");
                }
            }
            var smartHost = t.get(SMART_HOST);
            boolean hasUser = t.has(USERNAME);
            if (hasUser != t.has(PASSWORD)) {
                throw t.error(hasUser ? PASSWORD : USERNAME, "username and password go together");
            }
            connectors.add(new SendConnector(name, domains, smartHost.getHostString(), smartHost.getPort(),
                    t.get(REQUIRE_TLS), t.get(USERNAME), t.get(PASSWORD)));
        }
        return List.copyOf(connectors);
    }
}
