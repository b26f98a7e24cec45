package dev.mailflow.app;

import java.util.List;

/**
 * One part of the configuration file: the top level, a table such as {@code [delivery]}, or
 * a list of tables such as {@code [[mailbox]]}. A section declares its keys (the schema is
 * derived from them) and reads its own table into what the program uses. Sections are read
 * in the order of {@link ConfigSections#ALL}; a section may use what an earlier one read.
 *
 * <p>Adding a section to the configuration is a class implementing this and one line in
 * {@link ConfigSections#ALL}; its value is then {@code config.part(TheSection.SECTION)}.
 *
 * @param <T> what the section gives the program
 */
interface ConfigSection<T> {

    /** Where a section's keys are in the file. */
    enum Shape {
        /** Keys at the top of the file. */
        TOP_LEVEL,
        /** One {@code [name]} table, optional: without it every key has its default. */
        TABLE,
        /** Any number of {@code [[name]]} tables. */
        TABLE_LIST
    }

    /** The table's name in the file; empty for the top level. */
    String name();

    Shape shape();

    /** Every key the table may have, in the order docs/configuration.md lists them. */
    List<ConfigKey<?>> keys();

    /** Reads and checks the section; errors name the file, the line and the key. */
    T read(SectionInput in) throws ConfigException;

    /**
     * For a list of tables: the key that tells one entry from another across a reload
     * ({@code name}, {@code address}); null for other shapes.
     */
    default ConfigKey<?> identity() {
        return null;
    }

    /**
     * Every key that together tells one entry from another, when one is not enough (a DKIM key
     * is its domain and selector); {@link #identity()} alone by default.
     */
    default List<ConfigKey<?>> identityKeys() {
        return identity() == null ? List.of() : List.of(identity());
    }

    /**
     * How a reload names an entry of this section: {@code mailbox bob@example.test}; the
     * identity is the values of {@link #identityKeys()}, joined by spaces.
     */
    default String describe(String identity) {
        return name() + " " + identity;
    }

    /** Whether adding or removing an entry needs a restart (a listener). */
    default boolean entriesNeedRestart() {
        return false;
    }

    /**
     * The section whose embedded defaults this section's defaults come with, or null: the
     * defaults of this section are used only when the file leaves that one to the defaults too.
     */
    default ConfigSection<?> defaultsComeWith() {
        return null;
    }
}
