package dev.mailflow.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md and the sections agree: each section has its heading, each key its
 * row, each default in the code is the one the row shows, and the doc lists no key the code
 * does not know.
 */
class ConfigDocumentationTest {

    /** Heading → (key → default column), from the tables of docs/configuration.md. */
    private static Map<String, Map<String, String>> documentedRows() throws Exception {
        var rows = new LinkedHashMap<String, Map<String, String>>();
        String heading = null;
        for (String line : Files.readAllLines(Path.of("docs/configuration.md"))) {
            if (line.startsWith("## ")) {
                heading = line.substring(3).strip();
                rows.put(heading, new LinkedHashMap<>());
            } else if (heading != null && line.startsWith("| `")) {
                // Cells are split at each "|" but Markdown's escaped one, a pipe inside a cell: \\|.
                String[] cells = line.split("(?<!\\\\)\\|");
                String key = cells[1].strip().replace("`", "");
                rows.get(heading).put(key, cells[3].strip().replace("\\|", "|"));
            }
        }
        return rows;
    }

    private static String heading(ConfigSection<?> section) {
        return switch (section.shape()) {
            case TOP_LEVEL -> "Top level";
            case TABLE -> "`[" + section.name() + "]`";
            case TABLE_LIST -> "`[[" + section.name() + "]]`";
        };
    }

    @Test
    void everyKeyAndDefaultIsDocumented() throws Exception {
        var docs = documentedRows();
        for (var section : ConfigSections.ALL) {
            var rows = docs.get(heading(section));
            assertThat(rows).as("docs/configuration.md has a section %s", heading(section)).isNotNull();
            for (var key : section.keys()) {
                String where = heading(section) + " " + key.name();
                assertThat(rows).as("docs/configuration.md documents %s", where).containsKey(key.name());
                String column = rows.get(key.name());
                if (key.isRequired()) {
                    assertThat(column).as("the default of %s", where).isEqualTo("required");
                } else if (key.documentedDefault() != null) {
                    assertThat(column).as("the default of %s", where).contains("`" + key.documentedDefault() + "`");
                }
            }
            var known = section.keys().stream().map(ConfigKey::name).toList();
            assertThat(known).as("the keys of %s in the code", heading(section)).containsAll(rows.keySet());
        }
    }

    @Test
    void theEmbeddedDefaultsAreShownAsTheyAre() throws Exception {
        String file = Files.readString(Path.of("src/main/resources/dev/mailflow/app/default-config.toml"));
        String docs = Files.readString(Path.of("docs/configuration.md"));
        int section = docs.indexOf("## The embedded defaults");
        int start = docs.indexOf("```toml\n", section) + "```toml\n".length();
        // The file less its opening comment (up to the first empty line).
        assertThat(docs.substring(start, docs.indexOf("```", start))).isEqualTo(file.split("\n\n", 2)[1]);
    }

    @Test
    void defaultsAreWrittenAsTomlWritesThem() {
        assertThat(ReceiveConnectorSection.COMMAND_TIMEOUT.documentedDefault()).isEqualTo("\"5m\"");
        assertThat(ReceiveConnectorSection.TLS.documentedDefault()).isEqualTo("\"starttls\"");
        assertThat(ReceiveConnectorSection.RELAY_FROM.documentedDefault()).isEqualTo("[]");
        assertThat(LogsSection.MAX_SIZE.documentedDefault()).isEqualTo("\"1GB\"");
        assertThat(QueueSection.RETRY_INTERVALS.documentedDefault())
                .isEqualTo("[\"1m\", \"5m\", \"15m\", \"30m\", \"1h\", \"2h\", \"4h\"]");
        assertThat(TopLevelSection.HOSTNAME.documentedDefault()).isNull();
    }
}
