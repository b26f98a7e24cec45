package dev.mailflow.app;

import dev.mailflow.smtp.AddressParser;
import dev.mailflow.tlspolicy.tlsrpt.ReporterIdentity;
import java.util.List;

/**
 * {@code [tls_rpt]}: TLS-RPT reporting (RFC 8460). The defaults come from the top level's
 * {@code hostname}: the organization is the host name, the contact {@code postmaster@<hostname>}
 * and the From address {@code noreply-tlsrpt@<hostname>}. The reporter is set up at start,
 * so its keys need a restart.
 */
final class TlsRptSection implements ConfigSection<TlsRptConfig> {

    static final TlsRptSection SECTION = new TlsRptSection();

    static final ConfigKey<Boolean> ENABLED = Keys.bool("enabled", true).needsRestart();
    static final ConfigKey<String> ORGANIZATION = Keys.string("organization").needsRestart();
    static final ConfigKey<String> CONTACT = Keys.string("contact").needsRestart();
    static final ConfigKey<String> FROM = Keys.string("from").needsRestart();

    private TlsRptSection() {
    }

    @Override
    public String name() {
        return "tls_rpt";
    }

    @Override
    public Shape shape() {
        return Shape.TABLE;
    }

    @Override
    public List<ConfigKey<?>> keys() {
        return List.of(ENABLED, ORGANIZATION, CONTACT, FROM);
    }

    @Override
    public TlsRptConfig read(SectionInput in) throws ConfigException {
        var t = in.table();
        String hostname = in.get(TopLevelSection.SECTION).hostname();
        String organization = t.get(ORGANIZATION);
        if (organization == null) {
            organization = hostname;
        } else if (organization.isBlank() || organization.chars().anyMatch(Character::isISOControl)) {
            throw t.error(ORGANIZATION, "give a name without control characters");
        }
        String contact = address(t, CONTACT, "postmaster@" + hostname);
        String from = address(t, FROM, "noreply-tlsrpt@" + hostname);
        return new TlsRptConfig(t.get(ENABLED), new ReporterIdentity(organization.strip(), contact, hostname, from));
    }

    private static String address(ConfigTable t, ConfigKey<String> key, String fallback) throws ConfigException {
        String value = t.get(key);
        if (value == null) {
            return fallback;
        }
        if (AddressParser.parseMailbox(value, false) == null) {
            throw t.error(key, "\"" + value + "\" is not an email address (local-part@domain, ASCII)");
        }
        return value;
    }
}
