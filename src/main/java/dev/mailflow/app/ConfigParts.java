package dev.mailflow.app;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What each section read, and the tables it read it from (a reload compares them key by key). */
final class ConfigParts {

    private record Part(Object value, List<ConfigTable> tables) {
    }

    private final Map<ConfigSection<?>, Part> parts = new LinkedHashMap<>();

    <T> void put(ConfigSection<T> section, T value, List<ConfigTable> tables) {
        parts.put(section, new Part(value, List.copyOf(tables)));
    }

    /** What a section read; it must have been read already. */
    @SuppressWarnings("unchecked")
    <T> T get(ConfigSection<T> section) {
        var part = parts.get(section);
        if (part == null) {
            throw new IllegalStateException("section " + section.name() + " is read after its users; see ConfigSections.ALL");
        }
        return (T) part.value();
    }

    List<ConfigTable> tables(ConfigSection<?> section) {
        var part = parts.get(section);
        return part == null ? List.of() : part.tables();
    }
}
