package dev.mailflow.app;

import java.util.function.Function;

/**
 * One key of a configuration table: its name, its TOML type, how its value is read and
 * checked, its default, and how a reload treats a change of it. Sections declare their keys
 * as constants and read them with {@link ConfigTable#get}; the schema (unknown keys, types)
 * and the documentation test are derived from these declarations.
 *
 * @param <T> the value the key gives the program
 */
final class ConfigKey<T> {

    /** What is wrong with a value, told without the file, line or key (the table adds them). */
    static final class InvalidValue extends Exception {
        InvalidValue(String problem) {
            super(problem, null, false, false);
        }
    }

    /** Turns a value of the key's TOML type (already checked) into what the program uses. */
    @FunctionalInterface
    interface Reader<R, T> {
        T read(R raw) throws InvalidValue;
    }

    private final String name;
    private final ValueType type;
    private final Reader<Object, T> reader;
    private final T fallback;
    private final Function<T, String> literal;
    private final boolean required;
    private final boolean restart;
    private final boolean secret;

    private ConfigKey(String name, ValueType type, Reader<Object, T> reader, T fallback, Function<T, String> literal,
                      boolean required, boolean restart, boolean secret) {
        this.name = name;
        this.type = type;
        this.reader = reader;
        this.fallback = fallback;
        this.literal = literal;
        this.required = required;
        this.restart = restart;
        this.secret = secret;
    }

    @SuppressWarnings("unchecked")
    static <R, T> ConfigKey<T> of(String name, ValueType type, Reader<R, T> reader, T fallback,
                                  Function<T, String> literal) {
        return new ConfigKey<>(name, type, raw -> reader.read((R) raw), fallback, literal, false, false, false);
    }

    /** The same key, without a default: a table without it is an error ("is required"). */
    ConfigKey<T> required() {
        return new ConfigKey<>(name, type, reader, null, literal, true, restart, secret);
    }

    /** The same key, marked as one a reload cannot change (listeners, names the server started with). */
    ConfigKey<T> needsRestart() {
        return new ConfigKey<>(name, type, reader, fallback, literal, required, true, secret);
    }

    /** The same key, whose values are never shown (passwords): a reload says "changed". */
    ConfigKey<T> secret() {
        return new ConfigKey<>(name, type, reader, fallback, literal, required, restart, true);
    }

    /**
     * A key of the same name and type whose value is converted further (and checked) by
     * {@code then}; the default is converted once, here.
     */
    <U> ConfigKey<U> then(Reader<T, U> then, Function<U, String> literalOfU) {
        Reader<Object, T> first = reader;
        U mappedFallback;
        try {
            mappedFallback = fallback == null ? null : then.read(fallback);
        } catch (InvalidValue e) {
            throw new IllegalArgumentException("the default of " + name + ": " + e.getMessage(), e);
        }
        return new ConfigKey<>(name, type, raw -> then.read(first.read(raw)), mappedFallback, literalOfU, required,
                restart, secret);
    }

    String name() {
        return name;
    }

    ValueType type() {
        return type;
    }

    boolean isRequired() {
        return required;
    }

    boolean isRestartOnly() {
        return restart;
    }

    boolean isSecret() {
        return secret;
    }

    /** The value when the table does not have the key, or null (required, or computed by the section). */
    T fallback() {
        return fallback;
    }

    T read(Object raw) throws InvalidValue {
        return reader.read(raw);
    }

    /** The default as TOML, the way docs/configuration.md shows it, or null when there is none. */
    String documentedDefault() {
        return fallback == null ? null : literal.apply(fallback);
    }

    /** A value of this key written as TOML (for the lines a reload logs). */
    @SuppressWarnings("unchecked")
    String literal(Object value) {
        return value == null ? "(not set)" : literal.apply((T) value);
    }

    @Override
    public String toString() {
        return name;
    }
}
