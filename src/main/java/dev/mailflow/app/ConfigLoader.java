package dev.mailflow.app;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

/**
 * Reads the TOML configuration (product.md, "Config file (contract)") and checks every key.
 *
 * <p>The sections ({@link ConfigSections#ALL}) declare the keys and read their own tables;
 * this class parses the file, checks it against the schema derived from the sections
 * (unknown keys, types), and hands each section its tables. docs/configuration.md documents
 * every key (a test keeps the two together). Defaults are in one place each: per key in the
 * sections, and the default connectors, domains and mailboxes in the embedded
 * {@code default-config.toml}, read by this same loader.
 *
 * <p>A file given by the operator replaces the defaults key by key at the top level: a file
 * with its own {@code [[receive_connector]]} tables replaces the default connectors, one
 * without keeps them. The default domains, mailboxes and aliases come with the default
 * connectors only (they are the loopback demo, with a test password): a file with its own
 * connectors starts with none.
 */
public final class ConfigLoader {

    public static final String EMBEDDED = "(embedded defaults)";
    private static final String DEFAULTS_RESOURCE = "/dev/mailflow/app/default-config.toml";

    /** Every key, per table, derived from the sections. The empty name is the top level. */
    static final Map<String, Map<String, ValueType>> SCHEMA = ConfigSections.SCHEMA;

    private final String source;
    private final Path baseDir;

    private ConfigLoader(String source, Path baseDir) {
        this.source = source;
        this.baseDir = baseDir;
    }

    /** The embedded defaults; relative paths are taken from the current directory. */
    public static MailflowConfig loadDefaults() throws ConfigException {
        return new ConfigLoader(EMBEDDED, Path.of("").toAbsolutePath()).build(parseDefaults(), null);
    }

    /** A file over the embedded defaults; relative paths are taken from the file's directory. */
    public static MailflowConfig load(Path file) throws ConfigException {
        String name = file.toString();
        TomlParseResult parsed;
        try {
            parsed = Toml.parse(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(name, 0, null, "no such file");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new ConfigException(name, 0, null, "cannot read it (permission denied for this user)");
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new ConfigException(name, 0, null, "it is not UTF-8 text (TOML files are UTF-8: convert it, "
                    + "for example with iconv -f latin1 -t utf-8)");
        } catch (IOException e) {
            String why = e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null
                    ? fse.getReason() : e.getClass().getSimpleName();
            throw new ConfigException(name, 0, null, "cannot read it (" + why + ")");
        }
        var base = file.toAbsolutePath().getParent();
        return new ConfigLoader(name, base).build(parseDefaults(), parsed);
    }

    /** Parses configuration text (tests); relative paths are taken from {@code baseDir}. */
    public static MailflowConfig loadString(String toml, String source, Path baseDir) throws ConfigException {
        return new ConfigLoader(source, baseDir).build(parseDefaults(), Toml.parse(toml));
    }

    /** Reads the same source again: the file, or the embedded defaults (a reload). */
    static MailflowConfig reload(MailflowConfig current) throws ConfigException {
        return current.source().equals(EMBEDDED) ? loadDefaults() : load(Path.of(current.source()));
    }

    /**
     * The data directory a file names, read without checking the rest (to find the server a
     * broken file belongs to); null when the file cannot be read as TOML at all.
     */
    static Path dataDirOf(Path file) {
        TomlParseResult parsed;
        try {
            parsed = Toml.parse(file);
        } catch (IOException e) {
            return null;
        }
        if (parsed.hasErrors()) {
            return null;
        }
        Object dir = parsed.get(TopLevelSection.DATA_DIR.name());
        String name = dir instanceof String s ? s : TopLevelSection.DATA_DIR.fallback();
        return file.toAbsolutePath().getParent().resolve(name).normalize();
    }

    private static TomlParseResult parseDefaults() throws ConfigException {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
            if (in == null) {
                throw new ConfigException(EMBEDDED, 0, null, "missing from the jar");
            }
            var result = Toml.parse(in);
            if (result.hasErrors()) {
                var err = result.errors().get(0);
                throw new ConfigException(EMBEDDED, err.position().line(), null, err.getMessage());
            }
            return result;
        } catch (IOException e) {
            throw new ConfigException(EMBEDDED, 0, null, e.getMessage());
        }
    }

    private MailflowConfig build(TomlParseResult defaults, TomlParseResult file) throws ConfigException {
        if (file != null && file.hasErrors()) {
            var err = file.errors().get(0);
            throw new ConfigException(source, err.position().line(), null, "TOML syntax: " + err.getMessage());
        }
        new SchemaCheck(EMBEDDED).check(defaults, "", "");
        if (file != null) {
            new SchemaCheck(source).check(file, "", "");
        }
        var parts = new ConfigParts();
        for (var section : ConfigSections.ALL) {
            read(section, defaults, file, parts);
        }
        return MailflowConfig.of(source, parts);
    }

    private <T> void read(ConfigSection<T> section, TomlTable defaults, TomlTable file, ConfigParts parts)
            throws ConfigException {
        var tables = tables(section, defaults, file);
        var in = new SectionInput(section, tables, parts, baseDir, file == null ? EMBEDDED : source);
        parts.put(section, section.read(in), tables);
    }

    /** The section's tables: from the file when it has the section, else from the defaults. */
    private List<ConfigTable> tables(ConfigSection<?> section, TomlTable defaults, TomlTable file) {
        if (section.shape() == ConfigSection.Shape.TOP_LEVEL) {
            return List.of(file == null ? ConfigTable.layered(defaults, EMBEDDED, null)
                    : ConfigTable.layered(file, source, defaults));
        }
        String name = section.name();
        TomlTable owner;
        String ownerSource;
        if (file != null && file.contains(name)) {
            owner = file;
            ownerSource = source;
        } else if (file != null && section.defaultsComeWith() != null && file.contains(section.defaultsComeWith().name())) {
            owner = null;
            ownerSource = source;
        } else {
            owner = defaults;
            ownerSource = EMBEDDED;
        }
        var list = new ArrayList<ConfigTable>();
        if (section.shape() == ConfigSection.Shape.TABLE) {
            TomlTable t = owner == null ? null : owner.getTable(name);
            var pos = t == null ? null : owner.inputPositionOf(name);
            list.add(t == null ? ConfigTable.absent(ownerSource, name)
                    : ConfigTable.of(t, ownerSource, name, pos == null ? 0 : pos.line()));
            return list;
        }
        TomlArray array = owner == null ? null : owner.getArray(name);
        for (int i = 0; array != null && i < array.size(); i++) {
            var pos = array.inputPositionOf(i);
            list.add(ConfigTable.of(array.getTable(i), ownerSource, name + "[" + (i + 1) + "]",
                    pos == null ? 0 : pos.line()));
        }
        return list;
    }
}
