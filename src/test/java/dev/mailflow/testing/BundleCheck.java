package dev.mailflow.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.text.MessageFormat;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The checks every message bundle must pass (the probe's and the console's): each language
 * has exactly the keys of English, none blank, each with the same MessageFormat arguments,
 * each a valid pattern that leaves no brace behind and has every apostrophe doubled, and no
 * doubled apostrophe where there is no argument (MessageFormat would not be applied there, so
 * it would show).
 */
public final class BundleCheck {

    private static final Pattern ARGUMENT = Pattern.compile("\\{\\d+}");

    private BundleCheck() {
    }

    /**
     * @param resource the base bundle's path on the class path, without ".properties"
     *                 ({@code /dev/mailflow/web/console})
     * @return the English keys
     */
    public static TreeSet<String> complete(String resource, List<String> languages) {
        var english = load(resource + ".properties");
        var keys = new TreeSet<>(english.stringPropertyNames());
        for (String lang : languages) {
            var bundle = lang.equals("en") ? english : load(resource + "_" + lang + ".properties");
            assertThat(new TreeSet<>(bundle.stringPropertyNames()))
                    .as("the keys of " + resource + " in " + lang + " (none missing, none extra)").isEqualTo(keys);
            for (String key : keys) {
                String text = bundle.getProperty(key);
                assertThat(text).as(lang + " " + key).isNotBlank();
                assertThat(args(text)).as(lang + " " + key + ": the same arguments as in English")
                        .isEqualTo(args(english.getProperty(key)));
                if (!args(text).isEmpty()) {
                    assertThat(new MessageFormat(text).format(new Object[] {"A", "B", "C", "D", "E", "F", "G", "H"})).as(lang + " " + key)
                            .doesNotContain("{").doesNotContain("}");
                    // A lone apostrophe would quote what follows it: MessageFormat drops it, and the
                    // words up to the next one lose theirs (French "n'a pas d'adresse").
                    assertThat(text.replace("''", "")).as(lang + " " + key + " (an argument: every apostrophe doubled)")
                            .doesNotContain("'");
                } else {
                    assertThat(text).as(lang + " " + key + " (no arguments: no doubled apostrophe)").doesNotContain("''");
                }
            }
        }
        return keys;
    }

    private static Properties load(String path) {
        var p = new Properties();
        try (var in = BundleCheck.class.getResourceAsStream(path)) {
            assertThat(in).as(path).isNotNull();
            p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return p;
    }

    private static List<String> args(String text) {
        return ARGUMENT.matcher(text).results().map(m -> m.group()).sorted().distinct().toList();
    }
}
