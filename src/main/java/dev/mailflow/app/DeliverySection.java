package dev.mailflow.app;

import dev.mailflow.client.ClientTimeouts;
import dev.mailflow.delivery.tls.TlsMode;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/** {@code [delivery]}: how remote delivery finds and talks to other servers, and where local copies go. */
final class DeliverySection implements ConfigSection<DeliveryConfig> {

    static final DeliverySection SECTION = new DeliverySection();

    static final ConfigKey<String> DNS_SERVER = Keys.string("dns_server").then(text -> {
        SocketAddresses.literal(text, 53);
        return text;
    }, Keys::quoted);
    static final ConfigKey<Integer> REMOTE_PORT = Keys.port("remote_port", 25);
    static final ConfigKey<Boolean> STARTTLS = Keys.bool("starttls", true);
    static final ConfigKey<Duration> CONNECT_TIMEOUT = Keys.duration("connect_timeout", ClientTimeouts.RFC_5321.connect());
    /** Default: RFC 5321 4.5.3.2's timeout for each reply. */
    static final ConfigKey<Duration> COMMAND_TIMEOUT = Keys.duration("command_timeout", null);
    static final ConfigKey<Integer> MAX_CONNECTIONS = Keys.positiveInt("max_connections", 100);
    static final ConfigKey<Integer> MAX_CONNECTIONS_PER_HOST = Keys.positiveInt("max_connections_per_host", 10);
    static final ConfigKey<Integer> MAX_HOPS = Keys.positiveInt("max_hops", 100);
    /** Default: STARTTLS as it says, policies found as published (DANE, then MTA-STS). */
    static final ConfigKey<TlsMode> TLS = TlsPolicySection.mode("tls", TlsMode.DANE);
    static final ConfigKey<String> CA_FILE = Keys.string("ca_file");
    static final ConfigKey<String> DNSSEC_TRUST_ANCHOR = Keys.string("dnssec_trust_anchor");
    static final ConfigKey<Integer> MTA_STS_PORT = Keys.port("mta_sts_port", 443);
    /** Where copies for our mailboxes go: "maildir" (here) or "lmtp" (the server at {@link #LMTP}). */
    static final ConfigKey<String> LOCAL = Keys.string("local", "maildir").then(text -> {
        String v = text.strip().toLowerCase(java.util.Locale.ROOT);
        if (!v.equals("maildir") && !v.equals("lmtp")) {
            throw new ConfigKey.InvalidValue("must be \"maildir\" or \"lmtp\"");
        }
        return v;
    }, Keys::quoted);
    static final ConfigKey<dev.mailflow.delivery.local.LmtpEndpoint> LMTP = Keys.string("lmtp").then(text -> {
        try {
            return dev.mailflow.delivery.local.LmtpEndpoint.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigKey.InvalidValue(e.getMessage());
        }
    }, e -> Keys.quoted(e.toString()));

    /** From this many Maildir copies of one message on, one file hard-linked into every mailbox (0: never). */
    static final ConfigKey<Integer> MAILDIR_LINK_FROM = ConfigKey.<Long, Integer>of("maildir_link_from",
            ValueType.INTEGER, v -> {
                if (v < 0 || v == 1 || v > 1_000_000) {
                    throw new ConfigKey.InvalidValue(v + " is not a number of copies: 2 or more, or 0 for never");
                }
                return v.intValue();
            }, 10, String::valueOf);

    private DeliverySection() {
    }

    @Override
    public String name() {
        return "delivery";
    }

    @Override
    public Shape shape() {
        return Shape.TABLE;
    }

    @Override
    public List<ConfigKey<?>> keys() {
        return List.of(DNS_SERVER, REMOTE_PORT, STARTTLS, TLS, CONNECT_TIMEOUT, COMMAND_TIMEOUT, MAX_CONNECTIONS,
                MAX_CONNECTIONS_PER_HOST, MAX_HOPS, CA_FILE, DNSSEC_TRUST_ANCHOR, MTA_STS_PORT, LOCAL, LMTP, MAILDIR_LINK_FROM);
    }

    @Override
    public DeliveryConfig read(SectionInput in) throws ConfigException {
        var t = in.table();
        Duration connect = t.get(CONNECT_TIMEOUT);
        Duration each = t.get(COMMAND_TIMEOUT);
        var rfc = ClientTimeouts.RFC_5321;
        var timeouts = each == null
                ? new ClientTimeouts(connect, rfc.greeting(), rfc.command(), rfc.dataInit(), rfc.dataBlock(), rfc.dataEnd())
                : new ClientTimeouts(connect, each, each, each, each, each);
        boolean startTls = t.get(STARTTLS);
        TlsMode tls = t.get(TLS);
        if (!startTls) {
            if (t.has(TLS) && tls != TlsMode.NONE) {
                throw t.error(TLS, "starttls = false says no TLS at all; leave starttls out to use tls = \""
                        + tls.word() + "\"");
            }
            tls = TlsMode.NONE;
        }
        List<X509Certificate> ca = List.of();
        Path caFile = null;
        if (t.has(CA_FILE)) {
            caFile = in.resolve(t.get(CA_FILE));
            try {
                ca = CaCertificates.read(caFile);
            } catch (ConfigKey.InvalidValue e) {
                throw t.error(CA_FILE, e.getMessage());
            }
        }
        Path anchor = null;
        if (t.has(DNSSEC_TRUST_ANCHOR)) {
            String a = t.get(DNSSEC_TRUST_ANCHOR);
            anchor = a.equals(DeliveryConfig.ROOT_ANCHOR) ? Path.of(a) : in.resolve(a);
            if (!a.equals(DeliveryConfig.ROOT_ANCHOR)) {
                try {
                    dev.mailflow.dns.DnsjavaResolver.builder().trustAnchors(anchor);
                } catch (IllegalArgumentException e) {
                    throw t.error(DNSSEC_TRUST_ANCHOR, e.getMessage() + " (a file of DS or DNSKEY records; or "
                            + "\"root\" for the root zone's keys, built in)");
                }
            }
        }
        dev.mailflow.delivery.local.LmtpEndpoint lmtp = null;
        if (t.get(LOCAL).equals("lmtp")) {
            if (!t.has(LMTP)) {
                throw t.error(LOCAL, "local = \"lmtp\" needs lmtp = \"unix:/run/dovecot/lmtp\" or \"127.0.0.1:24\": "
                        + "where the LMTP server listens");
            }
            lmtp = t.get(LMTP);
        } else if (t.has(LMTP)) {
            throw t.error(LMTP, "lmtp is used only with local = \"lmtp\" (local delivery is to Maildir now)");
        }
        return new DeliveryConfig(t.get(DNS_SERVER), t.get(REMOTE_PORT), startTls, timeouts,
                t.get(MAX_CONNECTIONS), t.get(MAX_CONNECTIONS_PER_HOST), t.get(MAX_HOPS),
                in.get(SendConnectorSection.SECTION), in.get(DkimKeySection.SECTION), tls,
                in.get(TlsPolicySection.SECTION), caFile, ca, anchor, t.get(MTA_STS_PORT), lmtp, t.get(MAILDIR_LINK_FROM));
    }
}
