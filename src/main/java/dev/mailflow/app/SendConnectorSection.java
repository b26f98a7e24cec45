package dev.mailflow.app;

import dev.mailflow.delivery.remote.SendConnector;
import dev.mailflow.delivery.tls.Fingerprint;
import dev.mailflow.delivery.tls.TlsMode;
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
    /** Default: "encrypt" with require_tls, else "opportunistic". */
    static final ConfigKey<TlsMode> TLS = TlsPolicySection.mode("tls", null);
    static final ConfigKey<List<Fingerprint>> TLS_FINGERPRINTS = TlsPolicySection.fingerprints("tls_fingerprints");
    static final ConfigKey<String> TLS_CA_FILE = Keys.string("tls_ca_file");

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
        return List.of(NAME, DOMAINS, SMART_HOST, REQUIRE_TLS, USERNAME, PASSWORD, TLS, TLS_FINGERPRINTS,
                TLS_CA_FILE);
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
            boolean requireTls = t.get(REQUIRE_TLS);
            TlsMode mode = t.get(TLS);
            if (mode == null) {
                mode = requireTls ? TlsMode.ENCRYPT : (t.has(TLS_FINGERPRINTS) || t.has(TLS_CA_FILE))
                        ? TlsMode.VERIFY : TlsMode.OPPORTUNISTIC;
            } else if (mode == TlsMode.MTA_STS) {
                throw t.error(TLS, "MTA-STS is the recipient domain's policy for its MX hosts, not a smart host's; "
                        + "use \"verify\" (with tls_ca_file or tls_fingerprints) or \"dane\"");
            } else if (requireTls && (mode == TlsMode.OPPORTUNISTIC || mode == TlsMode.NONE)) {
                throw t.error(TLS, "require_tls = true and tls = \"" + mode.word() + "\" disagree; "
                        + "use tls = \"encrypt\" or \"verify\"");
            }
            var rule = TlsPolicySection.rule(in, t, List.of(), mode, TLS_FINGERPRINTS, TLS_CA_FILE);
            connectors.add(new SendConnector(name, domains, smartHost.getHostString(), smartHost.getPort(),
                    requireTls || rule.mode() == TlsMode.ENCRYPT || rule.mode() == TlsMode.VERIFY,
                    t.get(USERNAME), t.get(PASSWORD), rule));
        }
        return List.copyOf(connectors);
    }
}
