package dev.mailflow.app;

import java.nio.file.Path;
import java.util.List;

/**
 * What a section reads: its table (or tables), what the sections before it read, and where
 * relative paths start.
 */
final class SectionInput {

    private final ConfigSection<?> section;
    private final List<ConfigTable> tables;
    private final ConfigParts earlier;
    private final Path baseDir;
    private final String source;

    SectionInput(ConfigSection<?> section, List<ConfigTable> tables, ConfigParts earlier, Path baseDir, String source) {
        this.section = section;
        this.tables = List.copyOf(tables);
        this.earlier = earlier;
        this.baseDir = baseDir;
        this.source = source;
    }

    /** The table of a top-level or single-table section (an absent table has every default). */
    ConfigTable table() {
        if (section.shape() == ConfigSection.Shape.TABLE_LIST) {
            throw new IllegalStateException(section.name() + " is a list of tables");
        }
        return tables.get(0);
    }

    /** The tables of a list section, in file order. */
    List<ConfigTable> tables() {
        return tables;
    }

    /** What an earlier section read. */
    <U> U get(ConfigSection<U> other) {
        return earlier.get(other);
    }

    /** A path from the configuration, relative to the file's directory. */
    Path resolve(String path) {
        return baseDir.resolve(path).normalize();
    }

    /** An error about the section as a whole: {@code file: receive_connector: problem}. */
    ConfigException error(String problem) {
        return new ConfigException(source, 0, section.name(), problem);
    }
}
