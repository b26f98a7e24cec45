package dev.mailflow.app;

import dev.mailflow.smtp.MailAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What changed between two loaded configurations, key by key, from the sections' own key
 * declarations: {@code mailbox bob@example.test added}, {@code connector "Default Frontend"
 * max_recipients 200 -> 50}. Keys marked {@link ConfigKey#needsRestart()}, and entries of
 * sections whose entries are listeners, are changes a reload cannot make.
 */
final class ConfigDiff {

    /** One changed item. */
    record Change(String text, boolean needsRestart) {

        /** As a reload logs and prints it. */
        String line() {
            return needsRestart ? text + ": needs a restart, kept as it was" : text;
        }
    }

    private ConfigDiff() {
    }

    /** Every change from {@code before} to {@code after}, in section and file order. */
    static List<Change> between(MailflowConfig before, MailflowConfig after) {
        var changes = new ArrayList<Change>();
        for (var section : ConfigSections.ALL) {
            var old = before.parts().tables(section);
            var now = after.parts().tables(section);
            if (section.shape() == ConfigSection.Shape.TABLE_LIST) {
                entries(section, old, now, changes);
            } else {
                String prefix = section.name().isEmpty() ? "" : section.name() + " ";
                keys(section, prefix, old.get(0), now.get(0), changes);
            }
        }
        String was = before.part(MtaStsSection.SECTION).policy().policyId();
        String is = after.part(MtaStsSection.SECTION).policy().policyId();
        if (!was.equals(is) && after.part(MtaStsSection.SECTION).bind() != null) {
            // The policy served changes at once; senders fetch it again only when the TXT id does.
            changes.add(new Change("mta_sts policy id " + was + " -> " + is + ": publish "
                    + "_mta-sts.<domain>. IN TXT \"" + after.part(MtaStsSection.SECTION).policy().txtRecordText()
                    + "\" for each accepted domain (mailflow check lists them)", false));
        }
        return changes;
    }

    private static void entries(ConfigSection<?> section, List<ConfigTable> old, List<ConfigTable> now,
                                List<Change> changes) {
        var before = byIdentity(section, old);
        var after = byIdentity(section, now);
        for (var e : before.entrySet()) {
            if (!after.containsKey(e.getKey())) {
                changes.add(new Change(section.describe(shown(section, e.getValue())) + " removed",
                        section.entriesNeedRestart()));
            }
        }
        for (var e : after.entrySet()) {
            var was = before.get(e.getKey());
            String name = section.describe(shown(section, e.getValue()));
            if (was == null) {
                changes.add(new Change(name + " added", section.entriesNeedRestart()));
            } else {
                keys(section, name + " ", was, e.getValue(), changes);
            }
        }
    }

    private static void keys(ConfigSection<?> section, String prefix, ConfigTable old, ConfigTable now,
                             List<Change> changes) {
        for (var key : section.keys()) {
            if (section.identityKeys().contains(key)) {
                continue;
            }
            Object a = value(old, key);
            Object b = value(now, key);
            if (!java.util.Objects.equals(a, b)) {
                String what = key.isSecret() ? key.name() + " changed"
                        : key.name() + " " + key.literal(a) + " -> " + key.literal(b);
                changes.add(new Change(prefix + what, key.isRestartOnly()));
            }
        }
    }

    /** Entries by what tells them apart: a name as written, an address as mail compares it. */
    private static Map<String, ConfigTable> byIdentity(ConfigSection<?> section, List<ConfigTable> tables) {
        var map = new LinkedHashMap<String, ConfigTable>();
        for (var t : tables) {
            var id = new ArrayList<String>();
            for (var key : section.identityKeys()) {
                Object v = value(t, key);
                id.add(v instanceof MailAddress a ? a.key() : String.valueOf(v));
            }
            map.put(String.join(" ", id), t);
        }
        return map;
    }

    private static String shown(ConfigSection<?> section, ConfigTable t) {
        var shown = new ArrayList<String>();
        for (var key : section.identityKeys()) {
            shown.add(String.valueOf(value(t, key)));
        }
        return String.join(" ", shown);
    }

    /** A value that was read once already, when the configuration was loaded. */
    private static Object value(ConfigTable t, ConfigKey<?> key) {
        try {
            return t.get(key);
        } catch (ConfigException e) {
            throw new IllegalStateException("a loaded configuration does not read again: " + e.getMessage(), e);
        }
    }
}
