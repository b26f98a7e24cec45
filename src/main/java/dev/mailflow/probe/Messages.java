package dev.mailflow.probe;

import java.text.MessageFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.MissingResourceException;
import java.util.ResourceBundle;

/**
 * The tester's words in the user's language: one resource bundle
 * ({@code dev/mailflow/probe/messages*.properties}, UTF-8): English, simplified Chinese and French.
 * The language is per thread (inherited by the threads a probe starts): set by {@code --lang},
 * by the locale ({@code LC_ALL}, {@code LC_MESSAGES}, {@code LANG}), or in the web console by
 * {@code Accept-Language} or its switch. Messages with arguments are {@link MessageFormat}
 * patterns; a key missing from a language falls back to English.
 */
public final class Messages {

    /** The languages there are bundles for, by their tag. */
    public static final List<String> LANGUAGES = List.of("en", "zh", "fr");

    private static final String BUNDLE = "dev.mailflow.probe.messages";
    private static final ResourceBundle.Control NO_FALLBACK =
            ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES);
    private static final InheritableThreadLocal<Locale> CURRENT = new InheritableThreadLocal<>() {
        @Override
        protected Locale initialValue() {
            return Locale.ENGLISH;
        }
    };

    private Messages() {
    }

    /** Speaks {@code language} (a tag from {@link #LANGUAGES}) on this thread and the threads it starts. */
    public static void use(String language) {
        CURRENT.set(Locale.forLanguageTag(supported(language)));
    }

    /** The language spoken on this thread now. */
    public static String language() {
        return CURRENT.get().getLanguage();
    }

    /** {@code language} if there is a bundle for it, else English. */
    public static String supported(String language) {
        String primary = primary(language);
        return LANGUAGES.contains(primary) ? primary : "en";
    }

    /** The primary subtag, lower case: "zh" for "zh_CN" or "zh-Hans-CN"; "" for null. */
    public static String primary(String language) {
        if (language == null) {
            return "";
        }
        String tag = language.strip().toLowerCase(Locale.ROOT).replace('_', '-');
        int dash = tag.indexOf('-');
        return dash < 0 ? tag : tag.substring(0, dash);
    }

    /** The language the environment asks for (LC_ALL, then LC_MESSAGES, then LANG), English when none does. */
    public static String fromEnvironment(Map<String, String> env) {
        // The launcher sets LC_ALL=C.UTF-8 for file names when the locale is not UTF-8 (or not
        // installed); what was asked before is in MAILFLOW_LANGUAGE_ASKED.
        for (String name : List.of("MAILFLOW_LANGUAGE_ASKED", "LC_ALL", "LC_MESSAGES", "LANG")) {
            String v = env.get(name);
            if (v != null && !v.isBlank()) {
                String lang = v.strip();
                int cut = lang.indexOf('.');
                lang = cut < 0 ? lang : lang.substring(0, cut);
                return lang.equals("C") || lang.equals("POSIX") ? "en" : supported(lang);
            }
        }
        return "en";
    }

    /**
     * The first {@code Accept-Language} range that there is a bundle for (RFC 9110 12.5.4, by
     * q-value), English when none is.
     */
    public static String fromAcceptLanguage(String header) {
        if (header == null || header.isBlank()) {
            return "en";
        }
        try {
            for (var range : Locale.LanguageRange.parse(header)) {
                String primary = range.getRange().split("-")[0];
                if (LANGUAGES.contains(primary) && range.getWeight() > 0) {
                    return primary;
                }
            }
        } catch (IllegalArgumentException e) {
            return "en"; // a malformed header: the default language
        }
        return "en";
    }

    /**
     * {@code value} with one decimal, as the current language writes it ("36.0" in English and
     * Chinese, "36,0" in French), without grouping.
     */
    public static String decimal(double value) {
        var format = java.text.NumberFormat.getNumberInstance(CURRENT.get());
        format.setGroupingUsed(false);
        format.setMinimumFractionDigits(1);
        format.setMaximumFractionDigits(1);
        return format.format(value);
    }

    /** Reasons or findings one after the other, with the language's separator ("; ", " ; ", "；"). */
    public static String joined(java.util.Collection<String> items) {
        return String.join(pattern(CURRENT.get(), "list.separator"), items);
    }

    /** A date and time as the current language writes it ("6 décembre 2026 à 13:02:11 UTC"). */
    public static String dateTime(java.time.ZonedDateTime when) {
        return when.format(java.time.format.DateTimeFormatter.ofLocalizedDateTime(java.time.format.FormatStyle.LONG)
                .withLocale(CURRENT.get()));
    }

    /**
     * The message {@code key} in the current language, with {@code args} put in; numbers as
     * plain digits (no grouping: ports, codes and queue ids read as they are).
     */
    public static String text(String key, Object... args) {
        String pattern = pattern(CURRENT.get(), key);
        if (args.length == 0) {
            return pattern;
        }
        var plain = new Object[args.length];
        for (int i = 0; i < args.length; i++) {
            plain[i] = args[i] instanceof Number n ? n.toString() : args[i] == null ? "" : args[i].toString();
        }
        return new MessageFormat(pattern, CURRENT.get()).format(plain);
    }

    static String pattern(Locale locale, String key) {
        try {
            return bundle(locale).getString(key);
        } catch (MissingResourceException e) {
            return bundle(Locale.ROOT).getString(key); // the English base (a missing key there is a bug)
        }
    }

    static ResourceBundle bundle(Locale locale) {
        return ResourceBundle.getBundle(BUNDLE, locale.getLanguage().equals("en") ? Locale.ROOT : locale, NO_FALLBACK);
    }
}
