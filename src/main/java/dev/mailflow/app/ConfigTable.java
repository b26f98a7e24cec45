package dev.mailflow.app;

import org.tomlj.Toml;
import org.tomlj.TomlTable;

/**
 * One table of the configuration as a section reads it: values by {@link ConfigKey}, with the
 * key's default when the table does not have it, and errors that name the file, the line and
 * the key ({@code file:line: receive_connector[2].bind: problem}).
 *
 * <p>The top level is read through two tables: the operator's file, and under it the
 * embedded defaults, key by key.
 */
final class ConfigTable {

    private static final TomlTable EMPTY = Toml.parse("");

    private final TomlTable table;
    private final String source;
    private final TomlTable under;
    private final String underSource;
    private final String path;
    private final int line;

    private ConfigTable(TomlTable table, String source, TomlTable under, String underSource, String path, int line) {
        this.table = table;
        this.source = source;
        this.under = under;
        this.underSource = underSource;
        this.path = path;
        this.line = line;
    }

    /** A table of {@code source}, named {@code path} in errors ({@code delivery}, {@code mailbox[3]}), starting at {@code line}. */
    static ConfigTable of(TomlTable table, String source, String path, int line) {
        return new ConfigTable(table, source, null, null, path, line);
    }

    /** A table the configuration does not have: every key has its default. */
    static ConfigTable absent(String source, String path) {
        return new ConfigTable(EMPTY, source, null, null, path, 0);
    }

    /** The top level: each key from the file when it has it, else from the defaults. */
    static ConfigTable layered(TomlTable file, String source, TomlTable defaults) {
        return new ConfigTable(file == null ? EMPTY : file, source, defaults, ConfigLoader.EMBEDDED, "", 0);
    }

    private TomlTable owner(String key) {
        return under == null || table.contains(key) ? table : under;
    }

    private String sourceOf(String key) {
        return owner(key) == table ? source : underSource;
    }

    boolean has(ConfigKey<?> key) {
        return owner(key.name()).contains(key.name());
    }

    /** The key's value, or its default; an error when it is required and missing, or wrong. */
    <T> T get(ConfigKey<T> key) throws ConfigException {
        Object raw = owner(key.name()).get(key.name());
        if (raw == null) {
            if (key.isRequired()) {
                throw new ConfigException(source, line, qualified(key.name()), "is required");
            }
            return key.fallback();
        }
        try {
            return key.read(raw);
        } catch (ConfigKey.InvalidValue e) {
            throw error(key, e.getMessage());
        }
    }

    /** An error about a key, at its line (or the table's when it is not there). */
    ConfigException error(ConfigKey<?> key, String problem) {
        var pos = owner(key.name()).inputPositionOf(key.name());
        return new ConfigException(sourceOf(key.name()), pos == null ? line : pos.line(), qualified(key.name()),
                problem);
    }

    /** How errors name a key of this table: {@code receive_connector[2].bind}, {@code hostname}. */
    String qualified(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** The table's name in errors: {@code receive_connector[2]}; empty for the top level. */
    String path() {
        return path;
    }

    String source() {
        return source;
    }

    /** The line of the table's header (0 when it has none). */
    int line() {
        return line;
    }
}
