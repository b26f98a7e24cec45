package dev.mailflow.app;

import dev.mailflow.server.Cidr;
import dev.mailflow.server.ConnectorConfig;
import dev.mailflow.server.Endpoints;
import dev.mailflow.server.protection.DnsList;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;

/** {@code [[receive_connector]]}: the listeners and the rules for their clients. */
final class ReceiveConnectorSection implements ConfigSection<List<ConnectorConfig>> {

    static final ReceiveConnectorSection SECTION = new ReceiveConnectorSection();

    static final ConfigKey<String> NAME = Keys.string("name").required();
    static final ConfigKey<InetSocketAddress> BIND = Keys.string("bind").required()
            .then(SocketAddresses::listen, Endpoints::format).needsRestart();
    static final ConfigKey<Boolean> ANONYMOUS = Keys.bool("anonymous", true);
    static final ConfigKey<Long> MAX_MESSAGE_SIZE = Keys.positiveLong("max_message_size", 37_748_736L);
    static final ConfigKey<Integer> MAX_RECIPIENTS = Keys.positiveInt("max_recipients", 200);
    static final ConfigKey<Integer> MAX_CONNECTIONS = Keys.positiveInt("max_connections", 1000);
    static final ConfigKey<Integer> MAX_CONNECTIONS_PER_IP = Keys.positiveInt("max_connections_per_ip", 20);
    static final ConfigKey<Integer> MAX_CONNECTIONS_PER_NETWORK = Keys.positiveInt("max_connections_per_network",
            100);
    static final ConfigKey<Integer> MAX_ERRORS = Keys.positiveInt("max_errors", 20);
    static final ConfigKey<Duration> COMMAND_TIMEOUT = Keys.duration("command_timeout", Duration.ofMinutes(5));
    static final ConfigKey<Duration> DATA_TIMEOUT = Keys.duration("data_timeout", Duration.ofMinutes(3));
    static final ConfigKey<Long> MIN_DATA_RATE = Keys.positiveLong("min_data_rate", 500L);
    static final ConfigKey<Duration> TLS_HANDSHAKE_TIMEOUT = Keys.duration("tls_handshake_timeout",
            Duration.ofSeconds(30));
    static final ConfigKey<Boolean> PROTOCOL_LOG = Keys.bool("protocol_log", true);
    static final ConfigKey<String> BANNER = Keys.string("banner", "ESMTP Mailflow ready");
    static final ConfigKey<ConnectorConfig.Tls> TLS = Keys.string("tls", "starttls")
            .then(ReceiveConnectorSection::tlsMode, m -> Keys.quoted(m.name().toLowerCase(Locale.ROOT)));
    static final ConfigKey<Boolean> REQUIRE_TLS = Keys.bool("require_tls", false);
    static final ConfigKey<Boolean> AUTH = Keys.bool("auth", true);
    static final ConfigKey<Boolean> ALLOW_INSECURE_AUTH = Keys.bool("allow_insecure_auth", false);
    static final ConfigKey<Integer> MAX_AUTH_FAILURES = Keys.positiveInt("max_auth_failures", 5);
    static final ConfigKey<ConnectorConfig.SenderChecks.Mode> AUTHENTICATION = Keys.string("authentication", "record")
            .then(ReceiveConnectorSection::authenticationMode, m -> Keys.quoted(m.name().toLowerCase(Locale.ROOT)));
    static final ConfigKey<Boolean> SPF_AT_MAIL = Keys.string("spf_check", "mail")
            .then(ReceiveConnectorSection::spfStage, b -> Keys.quoted(b ? "mail" : "data"));
    static final ConfigKey<Boolean> AUTHENTICATION_TEMPERROR = Keys.string("authentication_temperror", "accept")
            .then(ReceiveConnectorSection::deferTempErrors, b -> Keys.quoted(b ? "defer" : "accept"));
    static final ConfigKey<Boolean> DMARC_QUARANTINE = Keys.string("dmarc_quarantine", "hold")
            .then(ReceiveConnectorSection::holdQuarantined, b -> Keys.quoted(b ? "hold" : "header"));
    static final ConfigKey<List<Cidr>> REMOTE_RANGES = Keys.list("remote_ranges", ReceiveConnectorSection::range,
            Cidr::toString);
    static final ConfigKey<List<Cidr>> RELAY_FROM = Keys.list("relay_from", ReceiveConnectorSection::range,
            Cidr::toString);

    // Connection filtering (dev.mailflow.server.protection)
    static final ConfigKey<List<DnsList>> DNSBL = Keys.list("dnsbl", text -> dnsList(text, true), DnsList::text);
    static final ConfigKey<List<DnsList>> DNSWL = Keys.list("dnswl", text -> dnsList(text, false), DnsList::text);
    static final ConfigKey<Integer> DNSBL_THRESHOLD = Keys.positiveInt("dnsbl_threshold", 1);
    static final ConfigKey<Boolean> DNSBL_ALLOW_POSTMASTER = Keys.bool("dnsbl_allow_postmaster", true);
    static final ConfigKey<Duration> DNSBL_TIMEOUT = Keys.duration("dnsbl_timeout",
            ConnectorConfig.ConnectionFiltering.DEFAULT_DNS_TIMEOUT).then(ReceiveConnectorSection::dnsTimeout,
            d -> Keys.quoted(Durations.format(d)));
    static final ConfigKey<Integer> MAX_MESSAGE_RATE = Keys.countOrZero("max_message_rate", 0);
    static final ConfigKey<Integer> MAX_RECIPIENT_RATE = Keys.countOrZero("max_recipient_rate", 0);
    static final ConfigKey<Integer> MAX_USER_MESSAGE_RATE = Keys.countOrZero("max_user_message_rate", 0);
    static final ConfigKey<Boolean> GREYLISTING = Keys.bool("greylisting", false);
    static final ConfigKey<Integer> MAX_CONNECTION_RATE = Keys.countOrZero("max_connection_rate", 0);
    static final ConfigKey<Integer> TARPIT_AFTER_ERRORS = Keys.countOrZero("tarpit_after_errors", 0);
    static final ConfigKey<Duration> TARPIT_DELAY = Keys.duration("tarpit_delay",
            ConnectorConfig.RateLimits.DEFAULT_TARPIT_DELAY).then(ReceiveConnectorSection::tarpitDelay,
            d -> Keys.quoted(Durations.format(d)));
    static final ConfigKey<Duration> GREYLIST_DELAY = Keys.duration("greylist_delay",
            ConnectorConfig.RateLimits.DEFAULT_GREYLIST_DELAY);
    static final ConfigKey<Duration> GREYLIST_RETRY_WINDOW = Keys.duration("greylist_retry_window",
            ConnectorConfig.RateLimits.DEFAULT_GREYLIST_RETRY_WINDOW);
    static final ConfigKey<Duration> GREYLIST_EXPIRY = Keys.duration("greylist_expiry",
            ConnectorConfig.RateLimits.DEFAULT_GREYLIST_EXPIRY);
    // A test rig's connector (dev.mailflow.server.simulate)
    static final ConfigKey<Boolean> MODE = Keys.string("mode", "normal")
            .then(ReceiveConnectorSection::simulates, b -> Keys.quoted(b ? "simulate" : "normal"));
    static final ConfigKey<java.util.Optional<dev.mailflow.smtp.MailAddress>> SIMULATE_MAILBOX = Keys.string(
            "simulate_mailbox", "").then(ReceiveConnectorSection::simulateMailbox,
            a -> Keys.quoted(a.map(Object::toString).orElse("")));

    // Milters (dev.mailflow.milter)
    static final ConfigKey<List<MilterEntries>> MILTERS = Keys.list("milters", MilterEntries::parse,
            MilterEntries::text);
    static final ConfigKey<ConnectorConfig.MilterDefaultAction> MILTER_DEFAULT_ACTION = Keys.string(
            "milter_default_action", "tempfail").then(MilterEntries::action, a -> Keys.quoted(a.word()));
    static final ConfigKey<Duration> MILTER_CONNECT_TIMEOUT = Keys.duration("milter_connect_timeout",
            ConnectorConfig.Milter.DEFAULT_CONNECT_TIMEOUT).then(d -> MilterEntries.timeout(d),
            d -> Keys.quoted(Durations.format(d)));
    static final ConfigKey<Duration> MILTER_COMMAND_TIMEOUT = Keys.duration("milter_command_timeout",
            ConnectorConfig.Milter.DEFAULT_COMMAND_TIMEOUT).then(d -> MilterEntries.timeout(d),
            d -> Keys.quoted(Durations.format(d)));
    static final ConfigKey<Duration> MILTER_CONTENT_TIMEOUT = Keys.duration("milter_content_timeout",
            ConnectorConfig.Milter.DEFAULT_CONTENT_TIMEOUT).then(d -> MilterEntries.timeout(d),
            d -> Keys.quoted(Durations.format(d)));
    static final ConfigKey<Boolean> REQUIRE_FCRDNS = Keys.bool("require_fcrdns", false);
    static final ConfigKey<Duration> GREETING_DELAY = Keys.durationOrZero("greeting_delay", Duration.ZERO)
            .then(ReceiveConnectorSection::greetingDelay, d -> Keys.quoted(Keys.formatDurationOrZero(d)));

    private ReceiveConnectorSection() {
    }

    @Override
    public String name() {
        return "receive_connector";
    }

    @Override
    public Shape shape() {
        return Shape.TABLE_LIST;
    }

    @Override
    public List<ConfigKey<?>> keys() {
        return List.of(NAME, BIND, ANONYMOUS, MAX_MESSAGE_SIZE, MAX_RECIPIENTS, MAX_CONNECTIONS, MAX_CONNECTIONS_PER_IP,
                MAX_CONNECTIONS_PER_NETWORK, MAX_ERRORS, COMMAND_TIMEOUT, DATA_TIMEOUT, MIN_DATA_RATE,
                TLS_HANDSHAKE_TIMEOUT, PROTOCOL_LOG, BANNER, TLS, REQUIRE_TLS, AUTH,
                ALLOW_INSECURE_AUTH, MAX_AUTH_FAILURES, REMOTE_RANGES, RELAY_FROM, AUTHENTICATION, SPF_AT_MAIL,
                AUTHENTICATION_TEMPERROR, DMARC_QUARANTINE, DNSBL, DNSWL, DNSBL_THRESHOLD, DNSBL_ALLOW_POSTMASTER,
                DNSBL_TIMEOUT, REQUIRE_FCRDNS, GREETING_DELAY, MAX_MESSAGE_RATE, MAX_RECIPIENT_RATE,
                MAX_USER_MESSAGE_RATE, GREYLISTING, GREYLIST_DELAY, GREYLIST_RETRY_WINDOW, GREYLIST_EXPIRY,
                MAX_CONNECTION_RATE, TARPIT_AFTER_ERRORS, TARPIT_DELAY, MILTERS, MILTER_DEFAULT_ACTION,
                MILTER_CONNECT_TIMEOUT, MILTER_COMMAND_TIMEOUT, MILTER_CONTENT_TIMEOUT, MODE, SIMULATE_MAILBOX);
    }

    @Override
    public ConfigKey<?> identity() {
        return NAME;
    }

    @Override
    public String describe(String identity) {
        return "connector " + Keys.quoted(identity);
    }

    @Override
    public boolean entriesNeedRestart() {
        return true;
    }

    @Override
    public List<ConnectorConfig> read(SectionInput in) throws ConfigException {
        var connectors = new ArrayList<ConnectorConfig>();
        var names = new HashSet<String>();
        for (var t : in.tables()) {
            String name = t.get(NAME);
            if (name.isBlank()) {
                throw t.error(NAME, "must not be empty");
            }
            if (!names.add(name.toLowerCase(Locale.ROOT))) {
                throw t.error(NAME, "duplicate connector name \"" + name + "\"");
            }
            var c = new ConnectorConfig(name, t.get(BIND),
                    new ConnectorConfig.Access(t.get(ANONYMOUS), t.get(RELAY_FROM), t.get(REMOTE_RANGES)),
                    new ConnectorConfig.Limits(t.get(MAX_MESSAGE_SIZE), t.get(MAX_RECIPIENTS), t.get(MAX_CONNECTIONS),
                            t.get(MAX_CONNECTIONS_PER_IP), t.get(MAX_CONNECTIONS_PER_NETWORK), t.get(MAX_ERRORS)),
                    new ConnectorConfig.Timeouts(t.get(COMMAND_TIMEOUT), t.get(DATA_TIMEOUT), t.get(MIN_DATA_RATE),
                            t.get(TLS_HANDSHAKE_TIMEOUT)),
                    new ConnectorConfig.TlsPolicy(t.get(TLS), t.get(REQUIRE_TLS)),
                    new ConnectorConfig.AuthPolicy(t.get(AUTH), t.get(ALLOW_INSECURE_AUTH), t.get(MAX_AUTH_FAILURES)),
                    new ConnectorConfig.SenderChecks(t.get(AUTHENTICATION), t.get(SPF_AT_MAIL),
                            t.get(AUTHENTICATION_TEMPERROR), t.get(DMARC_QUARANTINE)),
                    t.get(BANNER), t.get(PROTOCOL_LOG), new ConnectorConfig.ConnectionFiltering(t.get(DNSBL),
                            t.get(DNSWL), t.get(DNSBL_THRESHOLD), t.get(DNSBL_ALLOW_POSTMASTER), t.get(DNSBL_TIMEOUT),
                            t.get(REQUIRE_FCRDNS), t.get(GREETING_DELAY)),
                    new ConnectorConfig.RateLimits(t.get(MAX_MESSAGE_RATE), t.get(MAX_RECIPIENT_RATE),
                            t.get(MAX_USER_MESSAGE_RATE), t.get(GREYLISTING), t.get(GREYLIST_DELAY),
                            t.get(GREYLIST_RETRY_WINDOW), t.get(GREYLIST_EXPIRY), t.get(MAX_CONNECTION_RATE),
                            t.get(TARPIT_AFTER_ERRORS), t.get(TARPIT_DELAY)), milters(t),
                    new ConnectorConfig.Simulation(t.get(MODE), t.get(SIMULATE_MAILBOX).orElse(null)));
            for (int i = 0; i < connectors.size(); i++) {
                String clash = SocketAddresses.clash(c.bind(), connectors.get(i).bind());
                if (clash != null) {
                    throw t.error(BIND, sharedPort(c, connectors.get(i), i, clash));
                }
            }
            connectors.add(c);
        }
        if (connectors.isEmpty()) {
            throw in.error("at least one receive connector is needed");
        }
        return List.copyOf(connectors);
    }

    /** Two connectors on one port, named both, as check and serve say it. */
    static String sharedPort(ConnectorConfig c, ConnectorConfig earlier, int earlierIndex, String why) {
        String other = Keys.quoted(earlier.name()) + " (receive_connector[" + (earlierIndex + 1) + "])";
        if (why.isEmpty()) {
            return Keys.quoted(c.name()) + " and " + other + " both listen on " + Endpoints.format(c.bind())
                    + "; give each connector its own port or address";
        }
        return Keys.quoted(c.name()) + " on " + Endpoints.format(c.bind()) + " and " + other + " on "
                + Endpoints.format(earlier.bind()) + " would share port " + c.bind().getPort() + " (" + why
                + "); give each connector its own port or address";
    }

    private static ConnectorConfig.Tls tlsMode(String text) throws ConfigKey.InvalidValue {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "starttls" -> ConnectorConfig.Tls.STARTTLS;
            case "implicit" -> ConnectorConfig.Tls.IMPLICIT;
            case "off" -> ConnectorConfig.Tls.OFF;
            default -> throw new ConfigKey.InvalidValue("must be \"starttls\", \"implicit\" or \"off\"");
        };
    }

    private static ConnectorConfig.SenderChecks.Mode authenticationMode(String text) throws ConfigKey.InvalidValue {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "off" -> ConnectorConfig.SenderChecks.Mode.OFF;
            case "record" -> ConnectorConfig.SenderChecks.Mode.RECORD;
            case "quarantine" -> ConnectorConfig.SenderChecks.Mode.QUARANTINE;
            case "enforce" -> ConnectorConfig.SenderChecks.Mode.ENFORCE;
            default -> throw new ConfigKey.InvalidValue("must be \"record\", \"quarantine\", \"enforce\" or \"off\"");
        };
    }

    private static Boolean spfStage(String text) throws ConfigKey.InvalidValue {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "mail" -> true;
            case "data" -> false;
            default -> throw new ConfigKey.InvalidValue("must be \"mail\" or \"data\"");
        };
    }

    private static Boolean deferTempErrors(String text) throws ConfigKey.InvalidValue {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "defer" -> true;
            case "accept" -> false;
            default -> throw new ConfigKey.InvalidValue("must be \"accept\" or \"defer\"");
        };
    }

    private static Boolean holdQuarantined(String text) throws ConfigKey.InvalidValue {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "hold" -> true;
            case "header" -> false;
            default -> throw new ConfigKey.InvalidValue("must be \"hold\" or \"header\"");
        };
    }

    private static boolean simulates(String mode) throws ConfigKey.InvalidValue {
        return switch (mode.strip().toLowerCase(Locale.ROOT)) {
            case "normal" -> false;
            case "simulate" -> true;
            default -> throw new ConfigKey.InvalidValue("\"" + mode + "\" is not a mode: \"normal\" or \"simulate\"");
        };
    }

    private static java.util.Optional<dev.mailflow.smtp.MailAddress> simulateMailbox(String text)
            throws ConfigKey.InvalidValue {
        if (text.isBlank()) {
            return java.util.Optional.empty();
        }
        var address = dev.mailflow.smtp.AddressParser.parseMailbox(text.strip(), true);
        if (address == null) {
            throw new ConfigKey.InvalidValue("\"" + text + "\" is not a mailbox address such as sink@example.test");
        }
        return java.util.Optional.of(address);
    }

    private static ConnectorConfig.Milters milters(ConfigTable t) throws ConfigException {
        var list = new ArrayList<ConnectorConfig.Milter>();
        var action = t.get(MILTER_DEFAULT_ACTION);
        var connect = t.get(MILTER_CONNECT_TIMEOUT);
        var command = t.get(MILTER_COMMAND_TIMEOUT);
        var content = t.get(MILTER_CONTENT_TIMEOUT);
        for (var entry : t.get(MILTERS)) {
            list.add(entry.with(action, connect, command, content));
        }
        return new ConnectorConfig.Milters(list);
    }

    private static DnsList dnsList(String text, boolean block) throws ConfigKey.InvalidValue {
        try {
            return DnsList.parse(text, block);
        } catch (IllegalArgumentException e) {
            throw new ConfigKey.InvalidValue(e.getMessage());
        }
    }

    /** A minute at most: the time a client at connect waits for the lists, its greeting and its EHLO reply. */
    private static Duration dnsTimeout(Duration d) throws ConfigKey.InvalidValue {
        if (d.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new ConfigKey.InvalidValue("must be at most 1m (postscreen waits 10s)");
        }
        return d;
    }

    /** RFC 5321 4.5.3.2.1: clients wait 5 minutes for the greeting; far less is wise (postscreen: 6s). */
    private static Duration greetingDelay(Duration d) throws ConfigKey.InvalidValue {
        if (d.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new ConfigKey.InvalidValue("must be at most 1m; a few seconds catch early talkers (postscreen"
                    + " waits 6s), and every second delays every sender");
        }
        return d;
    }

    /** A minute at most: each tarpitted reply waits it, and clients give up on a reply after 5 (RFC 5321 4.5.3.2). */
    private static Duration tarpitDelay(Duration d) throws ConfigKey.InvalidValue {
        if (d.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new ConfigKey.InvalidValue("must be at most 1m (Exchange tarpits 5s); clients give up on a reply "
                    + "after 5m");
        }
        return d;
    }

    private static Cidr range(String text) throws ConfigKey.InvalidValue {
        var c = Cidr.parse(text.strip());
        if (c == null) {
            throw new ConfigKey.InvalidValue("\"" + text + "\" is not an address range such as 192.0.2.0/24 or ::1/128");
        }
        return c;
    }
}
