package dev.mailflow.app;

import org.tomlj.TomlArray;
import org.tomlj.TomlTable;

/** Rejects keys the sections do not declare, and values of the wrong type, naming file, line and key. */
final class SchemaCheck {

    private final String source;

    SchemaCheck(String source) {
        this.source = source;
    }

    /** Checks {@code table}, the table named {@code tableName} in the schema, shown as {@code path} in errors. */
    void check(TomlTable table, String tableName, String path) throws ConfigException {
        var known = ConfigSections.SCHEMA.get(tableName);
        for (String key : table.keySet()) {
            String full = path.isEmpty() ? key : path + "." + key;
            var pos = table.inputPositionOf(key);
            int line = pos == null ? 0 : pos.line();
            ValueType type = known.get(key);
            if (type == null) {
                throw new ConfigException(source, line, full, "unknown key; see docs/configuration.md");
            }
            Object value = table.get(key);
            String problem = type.mismatch(key, value);
            if (problem != null) {
                throw new ConfigException(source, line, full, problem);
            }
            if (type == ValueType.TABLE) {
                check((TomlTable) value, key, full);
            } else if (type == ValueType.TABLE_LIST) {
                var array = (TomlArray) value;
                for (int i = 0; i < array.size(); i++) {
                    check(array.getTable(i), key, key + "[" + (i + 1) + "]");
                }
            }
        }
    }
}
