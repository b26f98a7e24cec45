package dev.mailflow.app;

import org.tomlj.TomlArray;
import org.tomlj.TomlTable;

/** The TOML types a configuration key can have, and how a value of another type is told. */
enum ValueType {
    STRING, INTEGER, BOOLEAN, DURATION, SIZE, STRING_LIST, TABLE, TABLE_LIST;

    /** Null when {@code value} is of this type, else the problem to report for {@code key}. */
    String mismatch(String key, Object value) {
        boolean ok = switch (this) {
            case STRING -> value instanceof String;
            case INTEGER -> value instanceof Long;
            case BOOLEAN -> value instanceof Boolean;
            case DURATION, SIZE -> value instanceof Long || value instanceof String;
            case STRING_LIST -> value instanceof TomlArray a && all(a, String.class);
            case TABLE -> value instanceof TomlTable;
            case TABLE_LIST -> value instanceof TomlArray a && all(a, TomlTable.class);
        };
        if (ok) {
            return null;
        }
        return switch (this) {
            case STRING -> "must be a string in quotes";
            case INTEGER -> "must be a whole number";
            case BOOLEAN -> "must be true or false";
            case DURATION -> "must be seconds, or a string such as \"30s\", \"5m\", \"1h\"";
            case SIZE -> "must be octets, or a string such as \"512KB\", \"50MB\", \"2GB\"";
            case STRING_LIST -> "must be a list of strings";
            case TABLE -> "must be a table, [" + key + "]";
            case TABLE_LIST -> "must be tables, [[" + key + "]]";
        };
    }

    private static boolean all(TomlArray array, Class<?> type) {
        for (int i = 0; i < array.size(); i++) {
            if (!type.isInstance(array.get(i))) {
                return false;
            }
        }
        return true;
    }
}
