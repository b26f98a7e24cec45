package dev.mailflow.app;

import dev.mailflow.directory.AcceptedDomain;
import dev.mailflow.directory.Alias;
import dev.mailflow.directory.Directory;
import dev.mailflow.delivery.remote.SendConnector;
import dev.mailflow.directory.Mailbox;
import dev.mailflow.queue.RetryPolicy;
import dev.mailflow.server.ConnectorConfig;
import dev.mailflow.server.ServerConfig;
import dev.mailflow.smtp.AddressParser;
import dev.mailflow.smtp.Domains;
import dev.mailflow.smtp.MailAddress;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

/**
 * Reads the TOML configuration (product.md, "Config file (contract)") and checks every key.
 *
 * <p>The schema below is the one list of keys; docs/configuration.md documents each of them
 * (a test keeps the two together). The embedded defaults are a TOML file read by this same
 * loader. A file given by the operator replaces the defaults key by key at the top level:
 * a file with its own {@code [[receive_connector]]} tables replaces the default connectors,
 * one without keeps them.
 */
public final class ConfigLoader {

    public static final String EMBEDDED = "(embedded defaults)";
    private static final String DEFAULTS_RESOURCE = "/dev/mailflow/app/default-config.toml";

    enum Type { STRING, INTEGER, BOOLEAN, DURATION, SIZE, STRING_LIST, TABLE, TABLE_LIST }

    /** Every key, per table. The empty name is the top level. */
    static final Map<String, Map<String, Type>> SCHEMA = new LinkedHashMap<>();

    static {
        var top = new LinkedHashMap<String, Type>();
        top.put("hostname", Type.STRING);
        top.put("data_dir", Type.STRING);
        top.put("receive_connector", Type.TABLE_LIST);
        top.put("accepted_domain", Type.TABLE_LIST);
        top.put("mailbox", Type.TABLE_LIST);
        top.put("alias", Type.TABLE_LIST);
        top.put("queue", Type.TABLE);
        top.put("delivery", Type.TABLE);
        top.put("send_connector", Type.TABLE_LIST);
        top.put("tls", Type.TABLE);
        top.put("web", Type.TABLE);
        top.put("logs", Type.TABLE);
        SCHEMA.put("", top);

        var logs = new LinkedHashMap<String, Type>();
        logs.put("max_age", Type.DURATION);
        logs.put("max_size", Type.SIZE);
        SCHEMA.put("logs", logs);

        var web = new LinkedHashMap<String, Type>();
        web.put("enabled", Type.BOOLEAN);
        web.put("bind", Type.STRING);
        web.put("password", Type.STRING);
        web.put("metrics_login", Type.BOOLEAN);
        SCHEMA.put("web", web);

        var tls = new LinkedHashMap<String, Type>();
        tls.put("certificate", Type.STRING);
        tls.put("key", Type.STRING);
        SCHEMA.put("tls", tls);

        var send = new LinkedHashMap<String, Type>();
        send.put("name", Type.STRING);
        send.put("domains", Type.STRING_LIST);
        send.put("smart_host", Type.STRING);
        send.put("require_tls", Type.BOOLEAN);
        send.put("username", Type.STRING);
        send.put("password", Type.STRING);
        SCHEMA.put("send_connector", send);

        var queue = new LinkedHashMap<String, Type>();
        queue.put("retry_intervals", Type.STRING_LIST);
        queue.put("lifetime", Type.DURATION);
        queue.put("delay_warning", Type.DURATION);
        queue.put("min_free_space", Type.SIZE);
        queue.put("delivery_concurrency", Type.INTEGER);
        SCHEMA.put("queue", queue);

        var connector = new LinkedHashMap<String, Type>();
        connector.put("name", Type.STRING);
        connector.put("bind", Type.STRING);
        connector.put("anonymous", Type.BOOLEAN);
        connector.put("max_message_size", Type.INTEGER);
        connector.put("max_recipients", Type.INTEGER);
        connector.put("max_connections", Type.INTEGER);
        connector.put("max_connections_per_ip", Type.INTEGER);
        connector.put("max_errors", Type.INTEGER);
        connector.put("command_timeout", Type.DURATION);
        connector.put("data_timeout", Type.DURATION);
        connector.put("protocol_log", Type.BOOLEAN);
        connector.put("banner", Type.STRING);
        connector.put("relay_from", Type.STRING_LIST);
        connector.put("remote_ranges", Type.STRING_LIST);
        connector.put("tls", Type.STRING);
        connector.put("require_tls", Type.BOOLEAN);
        connector.put("auth", Type.BOOLEAN);
        connector.put("allow_insecure_auth", Type.BOOLEAN);
        connector.put("max_auth_failures", Type.INTEGER);
        SCHEMA.put("receive_connector", connector);

        var domain = new LinkedHashMap<String, Type>();
        domain.put("name", Type.STRING);
        domain.put("catch_all", Type.STRING);
        SCHEMA.put("accepted_domain", domain);

        var mailbox = new LinkedHashMap<String, Type>();
        mailbox.put("address", Type.STRING);
        mailbox.put("password", Type.STRING);
        mailbox.put("aliases", Type.STRING_LIST);
        mailbox.put("quota", Type.SIZE);
        SCHEMA.put("mailbox", mailbox);

        var alias = new LinkedHashMap<String, Type>();
        alias.put("address", Type.STRING);
        alias.put("recipients", Type.STRING_LIST);
        SCHEMA.put("alias", alias);

        var delivery = new LinkedHashMap<String, Type>();
        delivery.put("dns_server", Type.STRING);
        delivery.put("remote_port", Type.INTEGER);
        delivery.put("starttls", Type.BOOLEAN);
        delivery.put("connect_timeout", Type.DURATION);
        delivery.put("command_timeout", Type.DURATION);
        delivery.put("max_connections", Type.INTEGER);
        delivery.put("max_connections_per_host", Type.INTEGER);
        delivery.put("max_hops", Type.INTEGER);
        SCHEMA.put("delivery", delivery);
    }

    private final String source;
    private final Path baseDir;

    private ConfigLoader(String source, Path baseDir) {
        this.source = source;
        this.baseDir = baseDir;
    }

    /** The embedded defaults; relative paths are taken from the current directory. */
    public static MailflowConfig loadDefaults() throws ConfigException {
        var defaults = parseDefaults();
        return new ConfigLoader(EMBEDDED, Path.of("").toAbsolutePath()).build(defaults, null);
    }

    /** A file over the embedded defaults; relative paths are taken from the file's directory. */
    public static MailflowConfig load(Path file) throws ConfigException {
        String name = file.toString();
        TomlParseResult parsed;
        try {
            parsed = Toml.parse(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(name, 0, null, "no such file");
        } catch (IOException e) {
            throw new ConfigException(name, 0, null, "cannot read it: " + e.getMessage());
        }
        var base = file.toAbsolutePath().getParent();
        return new ConfigLoader(name, base).build(parseDefaults(), parsed);
    }

    /** Parses configuration text (tests); relative paths are taken from {@code baseDir}. */
    public static MailflowConfig loadString(String toml, String source, Path baseDir) throws ConfigException {
        return new ConfigLoader(source, baseDir).build(parseDefaults(), Toml.parse(toml));
    }

    private static TomlParseResult parseDefaults() throws ConfigException {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
            if (in == null) {
                throw new ConfigException(EMBEDDED, 0, null, "missing from the jar");
            }
            var result = Toml.parse(in);
            if (result.hasErrors()) {
                var err = result.errors().get(0);
                throw new ConfigException(EMBEDDED, err.position().line(), null, err.getMessage());
            }
            return result;
        } catch (IOException e) {
            throw new ConfigException(EMBEDDED, 0, null, e.getMessage());
        }
    }

    private MailflowConfig build(TomlParseResult defaults, TomlParseResult file) throws ConfigException {
        if (file != null && file.hasErrors()) {
            var err = file.errors().get(0);
            throw new ConfigException(source, err.position().line(), null, "TOML syntax: " + err.getMessage());
        }
        if (file != null) {
            checkKeys(file, "", "");
        }
        // Each top-level key from the file if it has it, else from the defaults.
        var view = new Layered(file, defaults, source);

        String hostname = view.has("hostname") ? view.string("hostname", null) : systemHostname();
        if (!Domains.isValidDomain(hostname, false)) {
            throw view.error("hostname", "\"" + hostname + "\" is not a valid host name");
        }
        Path dataDir = baseDir.resolve(view.string("data_dir", "data")).normalize();

        var domains = new ArrayList<AcceptedDomain>();
        var domainNames = new HashSet<String>();
        for (var t : view.tables("accepted_domain")) {
            String name = t.requireString("name");
            if (!Domains.isValidDomain(name, true)) {
                throw t.error("name", "\"" + name + "\" is not a valid domain name");
            }
            if (!domainNames.add(Domains.canonical(name))) {
                throw t.error("name", "domain \"" + name + "\" is listed twice");
            }
            MailAddress catchAll = t.has("catch_all") ? t.address("catch_all") : null;
            domains.add(new AcceptedDomain(Domains.canonical(name), catchAll));
        }

        var mailboxes = new ArrayList<Mailbox>();
        var aliases = new ArrayList<Alias>();
        var addresses = new HashSet<String>();
        for (var t : view.tables("mailbox")) {
            var address = t.address("address");
            requireOurs(t, "address", address, domainNames);
            if (!addresses.add(address.key())) {
                throw t.error("address", "address " + address + " is defined twice");
            }
            mailboxes.add(new Mailbox(address, t.has("password") ? t.requireString("password") : null,
                    t.has("quota") ? t.size("quota") : 0));
            for (String a : t.stringList("aliases")) {
                var alias = t.parseAddress("aliases", a);
                requireOurs(t, "aliases", alias, domainNames);
                if (!addresses.add(alias.key())) {
                    throw t.error("aliases", "address " + alias + " is defined twice");
                }
                aliases.add(new Alias(alias, List.of(address)));
            }
        }
        for (var t : view.tables("alias")) {
            var address = t.address("address");
            requireOurs(t, "address", address, domainNames);
            if (!addresses.add(address.key())) {
                throw t.error("address", "address " + address + " is defined twice");
            }
            var targets = new ArrayList<MailAddress>();
            for (String r : t.stringList("recipients")) {
                targets.add(t.parseAddress("recipients", r));
            }
            if (targets.isEmpty()) {
                throw t.error("recipients", "an alias needs at least one recipient");
            }
            aliases.add(new Alias(address, targets));
        }

        var connectors = new ArrayList<ConnectorConfig>();
        var connectorNames = new HashSet<String>();
        for (var t : view.tables("receive_connector")) {
            String name = t.requireString("name");
            if (name.isBlank()) {
                throw t.error("name", "must not be empty");
            }
            if (!connectorNames.add(name.toLowerCase(Locale.ROOT))) {
                throw t.error("name", "duplicate connector name \"" + name + "\"");
            }
            connectors.add(new ConnectorConfig(name, t.bind("bind"),
                    t.bool("anonymous", true),
                    t.positive("max_message_size", 37_748_736L),
                    (int) t.positiveInt("max_recipients", 200),
                    (int) t.positiveInt("max_connections", 1000),
                    (int) t.positiveInt("max_connections_per_ip", 20),
                    (int) t.positiveInt("max_errors", 20),
                    t.duration("command_timeout", Duration.ofMinutes(5)),
                    t.duration("data_timeout", Duration.ofMinutes(3)),
                    t.bool("protocol_log", true),
                    t.has("banner") ? t.requireString("banner") : "ESMTP Mailflow ready",
                    t.cidrs("relay_from"), t.cidrs("remote_ranges"), t.tlsMode("tls"),
                    t.bool("require_tls", false), t.bool("auth", true), t.bool("allow_insecure_auth", false),
                    (int) t.positiveInt("max_auth_failures", 5)));
        }
        if (connectors.isEmpty()) {
            throw new ConfigException(source, 0, "receive_connector", "at least one receive connector is needed");
        }

        String dns = null;
        int remotePort = 25;
        boolean startTls = true;
        Duration connectTimeout = Duration.ofSeconds(30);
        Duration commandTimeout = null;
        int maxOut = 100;
        int maxOutPerHost = 10;
        int maxHops = 100;
        var delivery = view.table("delivery");
        if (delivery != null) {
            if (delivery.has("dns_server")) {
                dns = delivery.requireString("dns_server");
                delivery.socketAddress("dns_server", dns, 53);
            }
            remotePort = (int) delivery.integer("remote_port", 25);
            if (remotePort < 1 || remotePort > 65535) {
                throw delivery.error("remote_port", remotePort + " is not a port number (1-65535)");
            }
            startTls = delivery.bool("starttls", true);
            connectTimeout = delivery.duration("connect_timeout", connectTimeout);
            commandTimeout = delivery.duration("command_timeout", null);
            maxOut = (int) delivery.positiveInt("max_connections", maxOut);
            maxOutPerHost = (int) delivery.positiveInt("max_connections_per_host", maxOutPerHost);
            maxHops = (int) delivery.positiveInt("max_hops", maxHops);
        }

        var sendConnectors = new ArrayList<SendConnector>();
        var sendNames = new HashSet<String>();
        for (var t : view.tables("send_connector")) {
            String name = t.requireString("name");
            if (!sendNames.add(name.toLowerCase(Locale.ROOT))) {
                throw t.error("name", "duplicate send connector name \"" + name + "\"");
            }
            var domainsList = t.stringList("domains");
            if (domainsList.isEmpty()) {
                throw t.error("domains", "list the domains it serves, or [\"*\"] for all");
            }
            for (String d : domainsList) {
                String bare = d.startsWith(".") ? d.substring(1) : d;
                if (!d.equals("*") && !Domains.isValidDomain(bare, true)) {
                    throw t.error("domains", "\"" + d + "\" is not a domain, \".domain\" or \"*\"");
                }
            }
            String hostPort = t.requireString("smart_host");
            var address = t.hostAndPort("smart_host", hostPort, 25);
            boolean hasUser = t.has("username");
            if (hasUser != t.has("password")) {
                throw t.error(hasUser ? "password" : "username", "username and password go together");
            }
            sendConnectors.add(new SendConnector(name, domainsList, address.getHostString(), address.getPort(),
                    t.bool("require_tls", false), hasUser ? t.requireString("username") : null,
                    hasUser ? t.requireString("password") : null));
        }

        long largestMessage = connectors.stream().mapToLong(ConnectorConfig::maxMessageSize).max().orElse(0);
        var retry = RetryPolicy.DEFAULT;
        long minFreeSpace = largestMessage + largestMessage / 2;
        int concurrency = 64;
        var queueTable = view.table("queue");
        if (queueTable != null) {
            var intervals = new ArrayList<Duration>();
            for (String text : queueTable.stringList("retry_intervals")) {
                intervals.add(queueTable.parseDuration("retry_intervals", text));
            }
            retry = new RetryPolicy(intervals.isEmpty() ? retry.intervals() : intervals,
                    queueTable.duration("lifetime", retry.lifetime()),
                    queueTable.duration("delay_warning", retry.delayWarning()));
            if (queueTable.has("min_free_space")) {
                minFreeSpace = queueTable.size("min_free_space");
            }
            concurrency = (int) queueTable.positiveInt("delivery_concurrency", concurrency);
        }

        var directory = new Directory(domains, mailboxes, aliases);
        Path certificate = null;
        Path key = null;
        var tlsTable = view.table("tls");
        if (tlsTable != null) {
            if (tlsTable.has("certificate") != tlsTable.has("key")) {
                throw tlsTable.error(tlsTable.has("certificate") ? "key" : "certificate",
                        "certificate and key go together");
            }
            if (tlsTable.has("certificate")) {
                certificate = baseDir.resolve(tlsTable.requireString("certificate")).normalize();
                key = baseDir.resolve(tlsTable.requireString("key")).normalize();
                try {
                    dev.mailflow.server.tls.TlsCertificates.read(certificate, key);
                } catch (IOException e) {
                    throw tlsTable.error("certificate", "cannot use it: " + e.getMessage());
                }
            }
        }
        for (var m : mailboxes) {
            if (m.password() != null && !dev.mailflow.server.auth.Passwords.isHash(m.password())) {
                org.slf4j.LoggerFactory.getLogger(ConfigLoader.class).warn(
                        "{}: the password of {} is in plain text; put a hash from 'mailflow passwd' instead",
                        source, m.address());
            }
        }
        var webConfig = new dev.mailflow.web.WebConfig(true, new InetSocketAddress(InetAddress.getLoopbackAddress(), 8025),
                null, false);
        var webTable = view.table("web");
        if (webTable != null) {
            var webBind = webTable.has("bind") ? webTable.bind("bind") : webConfig.bind();
            webConfig = new dev.mailflow.web.WebConfig(webTable.bool("enabled", true), webBind,
                    webTable.has("password") ? webTable.requireString("password") : null,
                    webTable.bool("metrics_login", !webBind.getAddress().isLoopbackAddress()));
        }
        var logs = LogsConfig.DEFAULT;
        var logsTable = view.table("logs");
        if (logsTable != null) {
            logs = new LogsConfig(logsTable.duration("max_age", logs.maxAge()),
                    logsTable.has("max_size") ? logsTable.size("max_size") : logs.maxSize());
        }
        return new MailflowConfig(source, webConfig, logs,
                new ServerConfig(hostname, dataDir, connectors, directory, minFreeSpace, maxHops, certificate, key),
                new QueueConfig(retry, minFreeSpace, concurrency),
                new DeliveryConfig(dns, remotePort, startTls, connectTimeout, commandTimeout, maxOut, maxOutPerHost,
                        sendConnectors));
    }

    private static void requireOurs(Table t, String key, MailAddress address, java.util.Set<String> domains)
            throws ConfigException {
        if (!domains.contains(Domains.canonical(address.domain()))) {
            throw t.error(key, address + " is not in an accepted domain (add an [[accepted_domain]] for "
                    + address.domain() + ")");
        }
    }

    static String systemHostname() {
        try {
            String name = InetAddress.getLocalHost().getCanonicalHostName();
            if (Domains.isValidDomain(name, false) && !Domains.isIpv4Literal(name)) {
                return name.toLowerCase(Locale.ROOT);
            }
        } catch (UnknownHostException e) {
            // fall through
        }
        return "localhost";
    }

    /** Rejects keys the schema does not know, and values of the wrong type. */
    private void checkKeys(TomlTable table, String tableName, String path) throws ConfigException {
        var known = SCHEMA.get(tableName);
        for (String key : table.keySet()) {
            String full = path.isEmpty() ? key : path + "." + key;
            int line = table.inputPositionOf(key) == null ? 0 : table.inputPositionOf(key).line();
            Type type = known.get(key);
            if (type == null) {
                throw new ConfigException(source, line, full, "unknown key; see docs/configuration.md");
            }
            Object value = table.get(key);
            switch (type) {
                case TABLE -> {
                    if (!(value instanceof TomlTable sub)) {
                        throw new ConfigException(source, line, full, "must be a table, [" + key + "]");
                    }
                    checkKeys(sub, key, full);
                }
                case TABLE_LIST -> {
                    if (!(value instanceof TomlArray array) || !all(array, TomlTable.class)) {
                        throw new ConfigException(source, line, full, "must be tables, [[" + key + "]]");
                    }
                    for (int i = 0; i < array.size(); i++) {
                        checkKeys(array.getTable(i), key, key + "[" + (i + 1) + "]");
                    }
                }
                case STRING -> {
                    if (!(value instanceof String)) {
                        throw new ConfigException(source, line, full, "must be a string in quotes");
                    }
                }
                case INTEGER -> {
                    if (!(value instanceof Long)) {
                        throw new ConfigException(source, line, full, "must be a whole number");
                    }
                }
                case BOOLEAN -> {
                    if (!(value instanceof Boolean)) {
                        throw new ConfigException(source, line, full, "must be true or false");
                    }
                }
                case SIZE -> {
                    if (!(value instanceof Long) && !(value instanceof String)) {
                        throw new ConfigException(source, line, full,
                                "must be octets, or a string such as \"512KB\", \"50MB\", \"2GB\"");
                    }
                }
                case DURATION -> {
                    if (!(value instanceof Long) && !(value instanceof String)) {
                        throw new ConfigException(source, line, full,
                                "must be seconds, or a string such as \"30s\", \"5m\", \"1h\"");
                    }
                }
                case STRING_LIST -> {
                    if (!(value instanceof TomlArray array) || !all(array, String.class)) {
                        throw new ConfigException(source, line, full, "must be a list of strings");
                    }
                }
            }
        }
    }

    private static boolean all(TomlArray array, Class<?> type) {
        for (int i = 0; i < array.size(); i++) {
            if (!type.isInstance(array.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** Top-level keys from the file when it has them, else from the defaults. */
    private static final class Layered {
        private final TomlTable file;
        private final TomlTable defaults;
        private final String fileSource;

        Layered(TomlTable file, TomlTable defaults, String fileSource) {
            this.file = file;
            this.defaults = defaults;
            this.fileSource = fileSource;
        }

        private TomlTable owner(String key) {
            return file != null && file.contains(key) ? file : defaults;
        }

        private String sourceOf(String key) {
            return owner(key) == file ? fileSource : EMBEDDED;
        }

        boolean has(String key) {
            return owner(key).contains(key);
        }

        String string(String key, String fallback) {
            var s = owner(key).getString(key);
            return s == null ? fallback : s;
        }

        ConfigException error(String key, String problem) {
            var pos = owner(key).inputPositionOf(key);
            return new ConfigException(sourceOf(key), pos == null ? 0 : pos.line(), key, problem);
        }

        List<Table> tables(String key) {
            var array = owner(key).getArray(key);
            var list = new ArrayList<Table>();
            if (array != null) {
                for (int i = 0; i < array.size(); i++) {
                    var t = array.getTable(i);
                    var pos = array.inputPositionOf(i);
                    list.add(new Table(t, key + "[" + (i + 1) + "]", sourceOf(key), pos == null ? 0 : pos.line()));
                }
            }
            return list;
        }

        Table table(String key) {
            var t = owner(key).getTable(key);
            if (t == null) {
                return null;
            }
            var pos = owner(key).inputPositionOf(key);
            return new Table(t, key, sourceOf(key), pos == null ? 0 : pos.line());
        }
    }

    /** One table of the file, with what is needed to name its keys in errors. */
    private static final class Table {
        private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");

        private final TomlTable table;
        private final String path;
        private final String source;
        private final int line;

        Table(TomlTable table, String path, String source, int line) {
            this.table = table;
            this.path = path;
            this.source = source;
            this.line = line;
        }

        boolean has(String key) {
            return table.contains(key);
        }

        ConfigException error(String key, String problem) {
            var pos = table.inputPositionOf(key);
            return new ConfigException(source, pos == null ? line : pos.line(), path + "." + key, problem);
        }

        String requireString(String key) throws ConfigException {
            var s = table.getString(key);
            if (s == null) {
                throw new ConfigException(source, line, path + "." + key, "is required");
            }
            return s;
        }

        boolean bool(String key, boolean fallback) {
            var b = table.getBoolean(key);
            return b == null ? fallback : b;
        }

        long integer(String key, long fallback) {
            var l = table.getLong(key);
            return l == null ? fallback : l;
        }

        long positive(String key, long fallback) throws ConfigException {
            long v = integer(key, fallback);
            if (v < 1) {
                throw error(key, v + " must be at least 1");
            }
            return v;
        }

        long positiveInt(String key, long fallback) throws ConfigException {
            long v = positive(key, fallback);
            if (v > Integer.MAX_VALUE) {
                throw error(key, v + " is too large");
            }
            return v;
        }

        Duration duration(String key, Duration fallback) throws ConfigException {
            Object v = table.get(key);
            if (v == null) {
                return fallback;
            }
            return v instanceof Long l ? positiveDuration(key, Duration.ofSeconds(l)) : parseDuration(key, (String) v);
        }

        private Duration positiveDuration(String key, Duration d) throws ConfigException {
            if (d.isZero() || d.isNegative()) {
                throw error(key, "must be longer than zero");
            }
            return d;
        }

        Duration parseDuration(String key, String v) throws ConfigException {
            var m = DURATION.matcher(v.strip());
            if (!m.matches()) {
                throw error(key, "\"" + v + "\" is not a duration such as \"30s\", \"5m\" or \"1h\"");
            }
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            return positiveDuration(key, switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofSeconds(n);
            });
        }

        private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KB|MB|GB|TB)?",
                Pattern.CASE_INSENSITIVE);

        long size(String key) throws ConfigException {
            Object v = table.get(key);
            long n;
            if (v instanceof Long l) {
                n = l;
            } else {
                var m = SIZE.matcher(((String) v).strip());
                if (!m.matches()) {
                    throw error(key, "\"" + v + "\" is not a size such as \"512KB\", \"50MB\" or \"2GB\"");
                }
                long unit = switch (m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT)) {
                    case "KB" -> 1024L;
                    case "MB" -> 1024L * 1024;
                    case "GB" -> 1024L * 1024 * 1024;
                    case "TB" -> 1024L * 1024 * 1024 * 1024;
                    default -> 1L;
                };
                n = Long.parseLong(m.group(1)) * unit;
            }
            if (n < 1) {
                throw error(key, "must be at least 1 octet");
            }
            return n;
        }

        List<String> stringList(String key) {
            var array = table.getArray(key);
            var list = new ArrayList<String>();
            if (array != null) {
                for (int i = 0; i < array.size(); i++) {
                    list.add(array.getString(i));
                }
            }
            return list;
        }

        ConnectorConfig.Tls tlsMode(String key) throws ConfigException {
            if (!table.contains(key)) {
                return ConnectorConfig.Tls.STARTTLS;
            }
            return switch (requireString(key).toLowerCase(Locale.ROOT)) {
                case "starttls" -> ConnectorConfig.Tls.STARTTLS;
                case "implicit" -> ConnectorConfig.Tls.IMPLICIT;
                case "off" -> ConnectorConfig.Tls.OFF;
                default -> throw error(key, "must be \"starttls\", \"implicit\" or \"off\"");
            };
        }

        java.util.List<dev.mailflow.server.Cidr> cidrs(String key) throws ConfigException {
            var list = new ArrayList<dev.mailflow.server.Cidr>();
            for (String text : stringList(key)) {
                var c = dev.mailflow.server.Cidr.parse(text.strip());
                if (c == null) {
                    throw error(key, "\"" + text + "\" is not an address range such as 192.0.2.0/24 or ::1/128");
                }
                list.add(c);
            }
            return list;
        }

        MailAddress address(String key) throws ConfigException {
            return parseAddress(key, requireString(key));
        }

        MailAddress parseAddress(String key, String text) throws ConfigException {
            var a = AddressParser.parseMailbox(text, true);
            if (a == null) {
                throw error(key, "\"" + text + "\" is not a valid address (local-part@domain)");
            }
            return a;
        }

        /** {@code host:port} where the host may be a name (not resolved here). */
        InetSocketAddress hostAndPort(String key, String text, int defaultPort) throws ConfigException {
            if (text.startsWith("[") || Domains.isIpv4Literal(text.contains(":") ? text.substring(0, text.lastIndexOf(':'))
                    : text)) {
                var a = socketAddress(key, text, defaultPort);
                return InetSocketAddress.createUnresolved(a.getAddress().getHostAddress(), a.getPort());
            }
            int colon = text.lastIndexOf(':');
            String host = colon < 0 ? text : text.substring(0, colon);
            int port = defaultPort;
            if (colon >= 0) {
                try {
                    port = Integer.parseInt(text.substring(colon + 1));
                } catch (NumberFormatException e) {
                    port = -1;
                }
            }
            if (!Domains.isValidDomain(host, false) || port < 1 || port > 65535) {
                throw error(key, "\"" + text + "\" is not host:port (e.g. smtp.example.net:587)");
            }
            return InetSocketAddress.createUnresolved(host, port);
        }

        InetSocketAddress bind(String key) throws ConfigException {
            return socketAddress(key, requireString(key), -1);
        }

        /** {@code host:port}, {@code [v6]:port}; the host must be an IP address or "localhost". */
        InetSocketAddress socketAddress(String key, String text, int defaultPort) throws ConfigException {
            String host;
            String port;
            if (text.startsWith("[")) {
                int close = text.indexOf(']');
                if (close < 0) {
                    throw error(key, "\"" + text + "\": missing ']' after the IPv6 address");
                }
                host = text.substring(1, close);
                String rest = text.substring(close + 1);
                port = rest.startsWith(":") ? rest.substring(1) : rest.isEmpty() ? null : "x";
                if (!Domains.isIpv6Literal(host)) {
                    throw error(key, "\"" + text + "\": " + host + " is not an IPv6 address");
                }
            } else {
                int colon = text.lastIndexOf(':');
                host = colon < 0 ? text : text.substring(0, colon);
                port = colon < 0 ? null : text.substring(colon + 1);
                if (!host.equals("localhost") && !Domains.isIpv4Literal(host)) {
                    throw error(key, "\"" + text + "\": " + host
                            + " is not an IP address (use 127.0.0.1, 0.0.0.0, [::1] or [::])");
                }
            }
            int p;
            if (port == null) {
                if (defaultPort < 0) {
                    throw error(key, "\"" + text + "\" has no port (write address:port, e.g. 127.0.0.1:2525)");
                }
                p = defaultPort;
            } else {
                try {
                    p = Integer.parseInt(port);
                } catch (NumberFormatException e) {
                    p = -1;
                }
                if (p < 0 || p > 65535) {
                    throw error(key, "\"" + text + "\": the port must be a number from 0 to 65535");
                }
            }
            try {
                return new InetSocketAddress(InetAddress.getByName(host), p);
            } catch (UnknownHostException e) {
                throw error(key, "\"" + text + "\": cannot use " + host);
            }
        }
    }
}
