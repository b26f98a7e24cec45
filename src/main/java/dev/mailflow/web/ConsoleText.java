package dev.mailflow.web;

import dev.mailflow.probe.Messages;
import java.text.MessageFormat;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.MissingResourceException;
import java.util.ResourceBundle;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The console's words in the user's language: one resource bundle
 * ({@code dev/mailflow/web/console*.properties}, UTF-8) in the languages of the tester's
 * explanations ({@link Messages#LANGUAGES}). The page gets every message of its language at
 * once ({@link #page}), embedded in index.html and from {@code GET /api/messages}; the API's
 * own error messages are formatted here ({@link #text}). The language of a request is the
 * console's switch (the {@value #COOKIE} cookie), else the browser's {@code Accept-Language},
 * else English.
 */
final class ConsoleText {

    /** The cookie the language switch sets (a language tag, not a secret). */
    static final String COOKIE = "mailflow_lang";

    private static final String BUNDLE = "dev.mailflow.web.console";
    private static final ResourceBundle.Control NO_FALLBACK =
            ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES);
    private static final Pattern ARGUMENT = Pattern.compile("\\{(\\d+)}");
    private static final Map<String, Map<String, Object>> PAGES = new ConcurrentHashMap<>();

    private ConsoleText() {
    }

    static List<String> languages() {
        return Messages.LANGUAGES;
    }

    /** The language for a request: the switch's cookie when it names a language there is, else Accept-Language. */
    static String choose(String cookie, String acceptLanguage) {
        if (cookie != null && languages().contains(cookie.strip())) {
            return cookie.strip();
        }
        return Messages.fromAcceptLanguage(acceptLanguage);
    }

    /** The message {@code key} in {@code language}, with {@code args} put in (numbers as plain digits). */
    static String text(String language, String key, Object... args) {
        String pattern = pattern(language, key);
        if (args.length == 0) {
            return pattern;
        }
        var plain = new Object[args.length];
        for (int i = 0; i < args.length; i++) {
            plain[i] = args[i] instanceof Number n ? n.toString() : String.valueOf(args[i]);
        }
        return new MessageFormat(pattern, Locale.forLanguageTag(language)).format(plain);
    }

    /**
     * What the page needs in {@code language}: its tag, the names of all languages (for the
     * switch, each in its own words), and every message with MessageFormat's quoting resolved
     * and its arguments left as {@code {0}} for app.js to fill in.
     */
    static Map<String, Object> page(String language) {
        return PAGES.computeIfAbsent(Messages.supported(language), lang -> {
            var messages = new LinkedHashMap<String, String>();
            for (String key : new TreeSet<>(bundle(Locale.ROOT).keySet())) {
                messages.put(key, template(pattern(lang, key)));
            }
            var names = new LinkedHashMap<String, String>();
            for (String l : languages()) {
                names.put(l, pattern(l, "language.name"));
            }
            var page = new LinkedHashMap<String, Object>();
            page.put("lang", lang);
            page.put("tag", pattern(lang, "language.tag"));
            page.put("languages", names);
            page.put("messages", Collections.unmodifiableMap(messages));
            return Collections.unmodifiableMap(page);
        });
    }

    /** A pattern as the page uses it: apostrophes unquoted, each {n} kept as it is. */
    static String template(String pattern) {
        int max = ARGUMENT.matcher(pattern).results().mapToInt(m -> Integer.parseInt(m.group(1))).max().orElse(-1);
        if (max < 0) {
            return pattern;
        }
        var placeholders = new Object[max + 1];
        for (int i = 0; i <= max; i++) {
            placeholders[i] = "{" + i + "}";
        }
        return new MessageFormat(pattern, Locale.ROOT).format(placeholders);
    }

    static String pattern(String language, String key) {
        try {
            return bundle(Locale.forLanguageTag(language)).getString(key);
        } catch (MissingResourceException e) {
            return bundle(Locale.ROOT).getString(key); // the English base (a missing key there is a bug)
        }
    }

    static ResourceBundle bundle(Locale locale) {
        return ResourceBundle.getBundle(BUNDLE, locale.getLanguage().equals("en") ? Locale.ROOT : locale, NO_FALLBACK);
    }

    /**
     * A request the console refuses with a 400, said in the request's language: the message
     * key and its arguments; {@link #getMessage()} is the English text (for the log).
     */
    static final class BadRequest extends IllegalArgumentException {
        private final String key;
        private final transient Object[] args;

        BadRequest(String key, Object... args) {
            super(text("en", key, args));
            this.key = key;
            this.args = args.clone();
        }

        String in(String language) {
            return text(language, key, args);
        }
    }
}
