package dev.mailflow.app;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The sections of the configuration file, in the order they are read, and the schema they make. */
final class ConfigSections {

    /**
     * Every section, each after those it uses. A new section is one more line here (and its
     * documentation in docs/configuration.md, which a test checks).
     */
    static final List<ConfigSection<?>> ALL = List.of(
            TopLevelSection.SECTION,
            ReceiveConnectorSection.SECTION,
            AcceptedDomainSection.SECTION,
            MailboxSection.SECTION,
            AliasSection.SECTION,
            DirectorySection.SECTION,
            QueueSection.SECTION,
            SendConnectorSection.SECTION,
            TlsPolicySection.SECTION,
            DkimKeySection.SECTION,
            DeliverySection.SECTION,
            TlsSection.SECTION,
            WebSection.SECTION,
            MtaStsSection.SECTION,
            LogsSection.SECTION,
            TlsRptSection.SECTION);

    /** Every key's type, per table; the empty name is the top level, where each section is a key. */
    static final Map<String, Map<String, ValueType>> SCHEMA = schema();

    private ConfigSections() {
    }

    private static Map<String, Map<String, ValueType>> schema() {
        var schema = new LinkedHashMap<String, Map<String, ValueType>>();
        var top = new LinkedHashMap<String, ValueType>();
        schema.put("", top);
        for (var section : ALL) {
            var keys = section.shape() == ConfigSection.Shape.TOP_LEVEL ? top : new LinkedHashMap<String, ValueType>();
            for (var key : section.keys()) {
                keys.put(key.name(), key.type());
            }
            switch (section.shape()) {
                case TABLE -> top.put(section.name(), ValueType.TABLE);
                case TABLE_LIST -> top.put(section.name(), ValueType.TABLE_LIST);
                case TOP_LEVEL -> {
                    continue;
                }
            }
            schema.put(section.name(), Collections.unmodifiableMap(keys));
        }
        schema.replaceAll((name, keys) -> Collections.unmodifiableMap(keys));
        return Collections.unmodifiableMap(schema);
    }
}
