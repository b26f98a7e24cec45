package dev.mailflow.app;

import dev.mailflow.milter.MilterEndpoint;
import dev.mailflow.server.ConnectorConfig;
import java.time.Duration;
import java.util.Locale;

/**
 * One entry of a connector's {@code milters}: an address ({@code inet:127.0.0.1:11332},
 * {@code unix:/run/opendkim/opendkim.sock}), or Postfix's per-milter form with settings of its
 * own, {@code { inet:127.0.0.1:8891, default_action = accept, command_timeout = 10s }}. What an
 * entry leaves unsaid comes from the connector's {@code milter_*} keys.
 */
record MilterEntries(String address, ConnectorConfig.MilterDefaultAction defaultAction, Duration connectTimeout,
                     Duration commandTimeout, Duration contentTimeout) {

    static MilterEntries parse(String text) throws ConfigKey.InvalidValue {
        String s = text.strip();
        if (!s.startsWith("{")) {
            return new MilterEntries(address(s), null, null, null, null);
        }
        if (!s.endsWith("}")) {
            throw new ConfigKey.InvalidValue("\"" + text + "\": a { ... } entry must end with }");
        }
        String[] parts = s.substring(1, s.length() - 1).split(",");
        String address = address(parts[0].strip());
        ConnectorConfig.MilterDefaultAction action = null;
        Duration connect = null;
        Duration command = null;
        Duration content = null;
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i].strip();
            if (part.isEmpty() && i == parts.length - 1) {
                continue; // a trailing comma
            }
            int eq = part.indexOf('=');
            if (eq < 0) {
                throw new ConfigKey.InvalidValue("\"" + part + "\": expected name = value");
            }
            String name = part.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            String value = part.substring(eq + 1).strip();
            if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                    || value.startsWith("'") && value.endsWith("'"))) {
                value = value.substring(1, value.length() - 1).strip();
            }
            switch (name) {
                case "default_action" -> action = action(value);
                case "connect_timeout" -> connect = timeout((Object) value);
                case "command_timeout" -> command = timeout((Object) value);
                case "content_timeout" -> content = timeout((Object) value);
                default -> throw new ConfigKey.InvalidValue("unknown milter setting \"" + name
                        + "\" (default_action, connect_timeout, command_timeout, content_timeout)");
            }
        }
        return new MilterEntries(address, action, connect, command, content);
    }

    /** The entry with the connector's settings where it has none of its own. */
    ConnectorConfig.Milter with(ConnectorConfig.MilterDefaultAction action, Duration connect, Duration command,
                                Duration content) {
        return new ConnectorConfig.Milter(address, defaultAction == null ? action : defaultAction,
                connectTimeout == null ? connect : connectTimeout, commandTimeout == null ? command : commandTimeout,
                contentTimeout == null ? content : contentTimeout);
    }

    String text() {
        if (defaultAction == null && connectTimeout == null && commandTimeout == null && contentTimeout == null) {
            return address;
        }
        var b = new StringBuilder("{ ").append(address);
        if (defaultAction != null) {
            b.append(", default_action = ").append(defaultAction.word());
        }
        if (connectTimeout != null) {
            b.append(", connect_timeout = ").append(Durations.format(connectTimeout));
        }
        if (commandTimeout != null) {
            b.append(", command_timeout = ").append(Durations.format(commandTimeout));
        }
        if (contentTimeout != null) {
            b.append(", content_timeout = ").append(Durations.format(contentTimeout));
        }
        return b.append(" }").toString();
    }

    private static String address(String s) throws ConfigKey.InvalidValue {
        try {
            return MilterEndpoint.parse(s).toString();
        } catch (IllegalArgumentException e) {
            throw new ConfigKey.InvalidValue("\"" + s + "\": " + e.getMessage());
        }
    }

    static ConnectorConfig.MilterDefaultAction action(String value) throws ConfigKey.InvalidValue {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "tempfail" -> ConnectorConfig.MilterDefaultAction.TEMPFAIL;
            case "accept" -> ConnectorConfig.MilterDefaultAction.ACCEPT;
            case "reject" -> ConnectorConfig.MilterDefaultAction.REJECT;
            case "quarantine" -> ConnectorConfig.MilterDefaultAction.QUARANTINE;
            default -> throw new ConfigKey.InvalidValue("\"" + value
                    + "\" is not a milter default action: tempfail, accept, reject or quarantine");
        };
    }

    static Duration timeout(Object value) throws ConfigKey.InvalidValue {
        return timeout(Durations.parse(value));
    }

    static Duration timeout(Duration d) throws ConfigKey.InvalidValue {
        if (d.isZero() || d.isNegative()) {
            throw new ConfigKey.InvalidValue("a milter timeout must be more than zero");
        }
        if (d.compareTo(Duration.ofHours(1)) > 0) {
            throw new ConfigKey.InvalidValue("a milter timeout must be at most 1h");
        }
        return d;
    }
}
