package dev.mailflow.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.testing.BundleCheck;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The console's languages: every key in every language, every key the page uses there, and
 * no English sentence left in the page's own files (index.html, app.js).
 */
class ConsoleTextTest {

    @Test
    void everyKeyIsInEveryLanguageWithTheSameArguments() {
        var keys = BundleCheck.complete("/dev/mailflow/web/console", ConsoleText.languages());
        assertThat(keys).hasSizeGreaterThan(150);
        for (String lang : ConsoleText.languages()) {
            @SuppressWarnings("unchecked")
            var messages = (Map<String, String>) ConsoleText.page(lang).get("messages");
            assertThat(new TreeSet<>(messages.keySet())).as(lang).isEqualTo(keys);
        }
    }

    @Test
    void thePageGetsTemplatesWithTheQuotingResolved() {
        assertThat(ConsoleText.template("no action ''{0}'': retry")).isEqualTo("no action '{0}': retry");
        assertThat(ConsoleText.template("the server's log")).as("no argument: no MessageFormat, one apostrophe")
                .isEqualTo("the server's log");
        assertThat(ConsoleText.text("en", "error.noAction", "frob")).isEqualTo("no action 'frob': retry, hold, release or delete");
        assertThat(ConsoleText.text("zh", "error.notQueued", 1234567)).isEqualTo("队列中没有邮件 1234567")
                .as("numbers as plain digits, no grouping");
        @SuppressWarnings("unchecked")
        var zh = (Map<String, String>) ConsoleText.page("zh").get("messages");
        assertThat(zh.get("queue.page")).isEqualTo("第 {0} 页，共 {1} 页");
        assertThat(zh.get("nav.queue")).isEqualTo("邮件队列");
        assertThat(ConsoleText.page("zh").get("tag")).isEqualTo("zh-Hans");
        assertThat(ConsoleText.page("de").get("lang")).as("a language there is no bundle for").isEqualTo("en");
    }

    /** French: an apostrophe in nearly every sentence, written once without arguments, twice with. */
    @Test
    void theFrenchPageGetsItsApostrophesOnce() {
        assertThat(ConsoleText.text("fr", "error.noAction", "frob"))
                .isEqualTo("pas d'action « frob » : retry, hold, release ou delete");
        assertThat(ConsoleText.text("fr", "error.notQueued", 1234567))
                .isEqualTo("aucun message 1234567 dans la file d'attente");
        assertThat(ConsoleText.text("fr", "error.loginFirst")).isEqualTo("connectez-vous d'abord");
        var page = ConsoleText.page("fr");
        assertThat(page.get("lang")).isEqualTo("fr");
        assertThat(page.get("tag")).isEqualTo("fr");
        assertThat(page.get("languages")).isEqualTo(Map.of("en", "English", "zh", "简体中文", "fr", "Français"));
        @SuppressWarnings("unchecked")
        var fr = (Map<String, String>) page.get("messages");
        assertThat(fr.get("nav.queue")).isEqualTo("File d'attente");
        assertThat(fr.get("queue.page")).isEqualTo("page {0} sur {1}");
        assertThat(fr.get("error.roundTripFrom")).isEqualTo("pour l'aller-retour, l'expéditeur doit être une boîte aux "
                + "lettres de ce serveur (son rapport de remise y revient), pas « {0} »");
        @SuppressWarnings("unchecked")
        var en = (Map<String, String>) ConsoleText.page("en").get("messages");
        for (var e : fr.entrySet()) {
            assertThat(e.getValue()).as(e.getKey()).doesNotContain("''");
            if (!SAME_IN_FRENCH.contains(e.getKey())) {
                assertThat(e.getValue()).as(e.getKey() + " is written in French, not left in English")
                        .isNotEqualTo(en.get(e.getKey()));
            }
        }
    }

    /** The texts that read the same in French: arguments, names, units and protocol words only. */
    private static final java.util.Set<String> SAME_IN_FRENCH = java.util.Set.of("overview.host",
            "overview.connectors.total", "column.id", "column.date", "event.DSN", "analyzer.port",
            "analyzer.starttls.auto", "analyzer.waiting", "analyzer.millis", "roundTrip.via", "queue.count",
            "queue.message", "queue.attemptsCount", "tracking.id", "mailboxes.count", "message.attachment");

    @Test
    void theLanguageIsTheSwitchsElseTheBrowsers() {
        assertThat(ConsoleText.choose(null, "fr-FR,fr;q=0.9")).isEqualTo("fr");
        assertThat(ConsoleText.choose(null, "fr-CA,en;q=0.8,zh;q=0.5")).isEqualTo("fr");
        assertThat(ConsoleText.choose("fr", "zh-CN,zh;q=0.9")).as("the switch wins").isEqualTo("fr");
        assertThat(ConsoleText.choose("zh", "fr-FR,fr;q=0.9")).isEqualTo("zh");
        assertThat(ConsoleText.choose(null, "zh-CN,zh;q=0.9,en;q=0.8")).isEqualTo("zh");
        assertThat(ConsoleText.choose("en", "zh-CN,zh;q=0.9")).as("the switch wins").isEqualTo("en");
        assertThat(ConsoleText.choose("zh", null)).isEqualTo("zh");
        assertThat(ConsoleText.choose("xx", "en-US")).as("a cookie naming no language").isEqualTo("en");
        assertThat(ConsoleText.choose(null, null)).isEqualTo("en");
    }

    private static final Pattern KEY = Pattern.compile("(?<![\\w$.])(?:t|tv)\\(\"([a-zA-Z]+(?:\\.[a-zA-Z]+)*\\.?)\"");
    private static final Pattern HTML_KEY = Pattern.compile("data-i18n(?:-placeholder)?=\"([^\"]+)\"");

    @Test
    void everyKeyThePageUsesExists() throws IOException {
        var keys = BundleCheck.complete("/dev/mailflow/web/console", ConsoleText.languages());
        String js = resource("static/app.js");
        var used = new TreeSet<String>();
        KEY.matcher(js).results().forEach(m -> used.add(m.group(1)));
        HTML_KEY.matcher(resource("static/index.html")).results().forEach(m -> used.add(m.group(1)));
        // Keys built from a prefix and a value (t("queue.action." + a), tv("state.", m.state)).
        Pattern.compile("\"([a-zA-Z]+(?:\\.[a-zA-Z]+)*\\.)\"").matcher(js).results().forEach(m -> used.add(m.group(1)));
        Pattern.compile("\\[\"(counter\\.[a-zA-Z]+)\"").matcher(js).results().forEach(m -> used.add(m.group(1)));
        assertThat(used).hasSizeGreaterThan(100);
        for (String key : used) {
            if (key.endsWith(".")) {
                assertThat(keys).as("keys under " + key).anyMatch(k -> k.startsWith(key));
            } else {
                assertThat(keys).as("the key " + key + " of app.js or index.html").contains(key);
            }
        }
    }

    /** What index.html says outside its tags is only protocol words and names: its text comes from the bundle. */
    @Test
    void indexHtmlHasNoTextOfItsOwn() throws IOException {
        String html = resource("static/index.html").replaceAll("(?s)<!--.*?-->", "")
                .replaceAll("(?s)<script[^>]*>.*?</script>", "");
        var words = new TreeSet<String>();
        for (String text : html.split("<[^>]*>")) {
            for (String w : text.strip().split("\\s+")) {
                if (!w.isEmpty()) {
                    words.add(w);
                }
            }
        }
        assertThat(words).isSubsetOf("Mailflow", "NOTIFY", "STARTTLS", "AUTH", "TLS", "Message-ID");
        // Placeholders that are words come from the bundle too; the others are examples to type.
        var placeholders = new TreeSet<String>();
        Pattern.compile(" placeholder=\"([^\"]*)\"").matcher(html).results().forEach(m -> placeholders.add(m.group(1)));
        assertThat(placeholders).containsOnly("25", "chris@contoso.com", "kate@fabrikam.com", "success,failure",
                "127.0.0.1:53", "120");
    }

    private static String resource(String name) throws IOException {
        try (var in = WebConsole.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
