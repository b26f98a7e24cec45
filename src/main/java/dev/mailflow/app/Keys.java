package dev.mailflow.app;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.tomlj.TomlArray;

/** Declares configuration keys of the usual kinds, with the checks and messages every table shares. */
final class Keys {

    private Keys() {
    }

    static ConfigKey<String> string(String name) {
        return string(name, null);
    }

    static ConfigKey<String> string(String name, String fallback) {
        return ConfigKey.<String, String>of(name, ValueType.STRING, s -> s, fallback, Keys::quoted);
    }

    static ConfigKey<Boolean> bool(String name, Boolean fallback) {
        return ConfigKey.<Boolean, Boolean>of(name, ValueType.BOOLEAN, b -> b, fallback, String::valueOf);
    }

    /** A whole number of at least 1 that fits an int. */
    static ConfigKey<Integer> positiveInt(String name, int fallback) {
        return ConfigKey.<Long, Integer>of(name, ValueType.INTEGER, v -> {
            positive(v);
            if (v > Integer.MAX_VALUE) {
                throw new ConfigKey.InvalidValue(v + " is too large");
            }
            return v.intValue();
        }, fallback, String::valueOf);
    }

    /** A whole number of at least 0 that fits an int: a limit where 0 means none. */
    static ConfigKey<Integer> countOrZero(String name, int fallback) {
        return ConfigKey.<Long, Integer>of(name, ValueType.INTEGER, v -> {
            if (v < 0) {
                throw new ConfigKey.InvalidValue(v + " is negative (0 means no limit)");
            }
            if (v > Integer.MAX_VALUE) {
                throw new ConfigKey.InvalidValue(v + " is too large");
            }
            return v.intValue();
        }, fallback, String::valueOf);
    }

    /** A whole number of at least 1. */
    static ConfigKey<Long> positiveLong(String name, long fallback) {
        return ConfigKey.<Long, Long>of(name, ValueType.INTEGER, Keys::positive, fallback, String::valueOf);
    }

    /** A TCP port, 1 to 65535. */
    static ConfigKey<Integer> port(String name, int fallback) {
        return ConfigKey.<Long, Integer>of(name, ValueType.INTEGER, v -> {
            if (v < 1 || v > 65535) {
                throw new ConfigKey.InvalidValue(v + " is not a port number (1-65535)");
            }
            return v.intValue();
        }, fallback, String::valueOf);
    }

    static ConfigKey<Duration> duration(String name, Duration fallback) {
        return ConfigKey.of(name, ValueType.DURATION, Durations::parse, fallback, d -> quoted(Durations.format(d)));
    }

    /** A duration that may be zero ({@code 0}, {@code "0s"}: off), such as a delay. */
    static ConfigKey<Duration> durationOrZero(String name, Duration fallback) {
        return ConfigKey.of(name, ValueType.DURATION, raw -> {
            if (raw instanceof Long n && n == 0
                    || raw instanceof String t && t.strip().matches("0+\\s*(ms|s|m|h|d)?")) {
                return Duration.ZERO;
            }
            return Durations.parse(raw);
        }, fallback, d -> quoted(formatDurationOrZero(d)));
    }

    static String formatDurationOrZero(Duration d) {
        return d.isZero() ? "0s" : Durations.format(d);
    }

    static ConfigKey<Long> size(String name, Long fallback) {
        return ConfigKey.of(name, ValueType.SIZE, Sizes::parse, fallback, Keys::sizeLiteral);
    }

    /** A list of strings; an absent key is an empty list. */
    static ConfigKey<List<String>> strings(String name) {
        return ConfigKey.<TomlArray, List<String>>of(name, ValueType.STRING_LIST, array -> {
            var list = new ArrayList<String>();
            for (int i = 0; i < array.size(); i++) {
                list.add(array.getString(i));
            }
            return List.copyOf(list);
        }, List.of(), Keys::listLiteral);
    }

    /** A list of strings each converted by {@code item}; an absent key is an empty list. */
    static <T> ConfigKey<List<T>> list(String name, ConfigKey.Reader<String, T> item, Function<T, String> text) {
        return strings(name).then(texts -> {
            var list = new ArrayList<T>();
            for (String s : texts) {
                list.add(item.read(s));
            }
            return List.copyOf(list);
        }, items -> listLiteral(items.stream().map(text).toList()));
    }

    /** A list of durations, such as retry intervals. */
    static ConfigKey<List<Duration>> durations(String name, List<Duration> fallback) {
        return ConfigKey.<TomlArray, List<Duration>>of(name, ValueType.STRING_LIST, array -> {
            var list = new ArrayList<Duration>();
            for (int i = 0; i < array.size(); i++) {
                list.add(Durations.parse(array.getString(i)));
            }
            return List.copyOf(list);
        }, fallback, items -> listLiteral(items.stream().map(Durations::format).toList()));
    }

    private static long positive(Long v) throws ConfigKey.InvalidValue {
        if (v < 1) {
            throw new ConfigKey.InvalidValue(v + " must be at least 1");
        }
        return v;
    }

    static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    static String listLiteral(List<String> items) {
        return items.stream().map(Keys::quoted).collect(Collectors.joining(", ", "[", "]"));
    }

    private static String sizeLiteral(long octets) {
        String s = Sizes.format(octets);
        return Character.isDigit(s.charAt(s.length() - 1)) ? s : quoted(s);
    }
}
