package dev.mailflow.app;

import java.time.Duration;
import java.util.regex.Pattern;

/** Durations as the configuration writes them: seconds ({@code 300}) or {@code "500ms"}, {@code "30s"}, {@code "5m"}, {@code "1h"}, {@code "2d"}. */
final class Durations {

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");

    private Durations() {
    }

    /** A number of seconds or a string with a unit; longer than zero. */
    static Duration parse(Object raw) throws ConfigKey.InvalidValue {
        Duration d;
        if (raw instanceof Long seconds) {
            d = Duration.ofSeconds(seconds);
        } else {
            String text = (String) raw;
            var m = DURATION.matcher(text.strip());
            if (!m.matches()) {
                throw new ConfigKey.InvalidValue("\"" + text + "\" is not a duration such as \"30s\", \"5m\", \"1h\""
                        + " or \"7d\" (units ms, s, m, h, d)");
            }
            long n = Long.parseLong(m.group(1));
            d = switch (m.group(2) == null ? "s" : m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofSeconds(n);
            };
        }
        if (d.isZero() || d.isNegative()) {
            throw new ConfigKey.InvalidValue("must be longer than zero");
        }
        return d;
    }

    /** The shortest way to write it: {@code 2d}, {@code 90s}, {@code 500ms}. */
    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 1000 != 0) {
            return ms + "ms";
        }
        long s = ms / 1000;
        if (s % 86_400 == 0) {
            return s / 86_400 + "d";
        }
        if (s % 3600 == 0) {
            return s / 3600 + "h";
        }
        return s % 60 == 0 ? s / 60 + "m" : s + "s";
    }
}
