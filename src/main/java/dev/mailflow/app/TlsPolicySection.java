package dev.mailflow.app;

import dev.mailflow.delivery.tls.Fingerprint;
import dev.mailflow.delivery.tls.TlsMode;
import dev.mailflow.delivery.tls.TlsRule;
import dev.mailflow.smtp.Domains;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code [[tls_policy]]}: the operator's TLS level for some destination domains, over what they
 * publish (Postfix's {@code smtp_tls_policy_maps}); the first entry that serves a domain wins.
 */
final class TlsPolicySection implements ConfigSection<List<TlsRule>> {

    static final TlsPolicySection SECTION = new TlsPolicySection();

    static final ConfigKey<List<String>> DOMAINS = Keys.strings("domains").required();
    static final ConfigKey<TlsMode> TLS = mode("tls", null).required();
    static final ConfigKey<List<Fingerprint>> FINGERPRINTS = fingerprints("fingerprints");
    static final ConfigKey<String> CA_FILE = Keys.string("ca_file");

    private TlsPolicySection() {
    }

    /** A {@code tls} key: one of the {@link TlsMode} words. */
    static ConfigKey<TlsMode> mode(String name, TlsMode fallback) {
        return ConfigKey.<String, TlsMode>of(name, ValueType.STRING, text -> {
            var m = TlsMode.of(text);
            if (m == null) {
                throw new ConfigKey.InvalidValue("\"" + text + "\" is not a TLS level; use one of " + TlsMode.words());
            }
            return m;
        }, fallback, m -> Keys.quoted(m.word()));
    }

    static ConfigKey<List<Fingerprint>> fingerprints(String name) {
        return Keys.list(name, text -> {
            try {
                return Fingerprint.parse(text);
            } catch (IllegalArgumentException e) {
                throw new ConfigKey.InvalidValue(e.getMessage());
            }
        }, Fingerprint::toString);
    }

    @Override
    public String name() {
        return "tls_policy";
    }

    @Override
    public Shape shape() {
        return Shape.TABLE_LIST;
    }

    @Override
    public List<ConfigKey<?>> keys() {
        return List.of(DOMAINS, TLS, FINGERPRINTS, CA_FILE);
    }

    /** An entry is told apart by its domains: a reload names the one whose level changed. */
    @Override
    public ConfigKey<?> identity() {
        return DOMAINS;
    }

    @Override
    public String describe(String identity) {
        return "tls_policy for " + identity;
    }

    @Override
    public List<TlsRule> read(SectionInput in) throws ConfigException {
        var rules = new ArrayList<TlsRule>();
        for (var t : in.tables()) {
            var domains = t.get(DOMAINS);
            if (domains.isEmpty()) {
                throw t.error(DOMAINS, "list the domains it is for, or [\"*\"] for all");
            }
            for (String d : domains) {
                String bare = d.startsWith(".") ? d.substring(1) : d;
                if (!d.equals("*") && !Domains.isValidDomain(bare, true)) {
                    throw t.error(DOMAINS, "\"" + d + "\" is not a domain, \".domain\" or \"*\"");
                }
            }
            rules.add(rule(in, t, domains, t.get(TLS), FINGERPRINTS, CA_FILE));
        }
        return List.copyOf(rules);
    }

    /** A rule with its pins and anchors checked: they belong to {@code verify} alone. */
    static TlsRule rule(SectionInput in, ConfigTable t, List<String> domains, TlsMode mode,
                        ConfigKey<List<Fingerprint>> pinsKey, ConfigKey<String> caKey) throws ConfigException {
        var pins = t.get(pinsKey);
        List<X509Certificate> anchors = List.of();
        if (t.has(caKey)) {
            try {
                anchors = CaCertificates.read(in.resolve(t.get(caKey)));
            } catch (ConfigKey.InvalidValue e) {
                throw t.error(caKey, e.getMessage());
            }
        }
        if ((!pins.isEmpty() || !anchors.isEmpty()) && mode != TlsMode.VERIFY) {
            throw t.error(pins.isEmpty() ? caKey : pinsKey, "only tls = \"verify\" checks certificates against "
                    + "pinned fingerprints or CAs; here tls = \"" + mode.word() + "\"");
        }
        return new TlsRule(domains, mode, pins, anchors);
    }
}
