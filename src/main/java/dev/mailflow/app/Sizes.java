package dev.mailflow.app;

import java.util.Locale;
import java.util.regex.Pattern;

/** Sizes as the configuration writes them: octets, or {@code "512KB"}, {@code "50MB"}, {@code "2GB"} (powers of 1024). */
final class Sizes {

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KB|MB|GB|TB)?", Pattern.CASE_INSENSITIVE);
    private static final String[] UNITS = {"TB", "GB", "MB", "KB"};

    private Sizes() {
    }

    /** At least one octet. */
    static long parse(Object raw) throws ConfigKey.InvalidValue {
        long n;
        if (raw instanceof Long l) {
            n = l;
        } else {
            String text = (String) raw;
            var m = SIZE.matcher(text.strip());
            if (!m.matches()) {
                throw new ConfigKey.InvalidValue("\"" + text + "\" is not a size such as \"512KB\", \"50MB\" or \"2GB\"");
            }
            n = Long.parseLong(m.group(1)) * unit(m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT));
        }
        if (n < 1) {
            throw new ConfigKey.InvalidValue("must be at least 1 octet");
        }
        return n;
    }

    private static long unit(String unit) {
        return switch (unit) {
            case "KB" -> 1024L;
            case "MB" -> 1024L * 1024;
            case "GB" -> 1024L * 1024 * 1024;
            case "TB" -> 1024L * 1024 * 1024 * 1024;
            default -> 1L;
        };
    }

    /** The largest unit that divides it: {@code 1GB}, {@code 1536KB}, {@code 1000}. */
    static String format(long octets) {
        for (String u : UNITS) {
            long unit = unit(u);
            if (octets % unit == 0) {
                return octets / unit + u;
            }
        }
        return Long.toString(octets);
    }
}
