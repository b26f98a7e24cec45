package dev.mailflow.app;

import dev.mailflow.probe.Messages;
import java.io.PrintWriter;

/**
 * {@code --lang} of the tester's commands (probe, telnet, auth): the language of their
 * explanations, else the one the locale asks for ({@code LC_ALL}, {@code LC_MESSAGES},
 * {@code LANG}), else English.
 */
final class Language {

    static final String OPTION_HELP = "the language of the explanations: en, zh (simplified Chinese) or fr "
            + "(French); by default the locale's (LC_ALL, LC_MESSAGES, LANG), else English";

    private Language() {
    }

    /** Speaks {@code lang} (or the locale's language); false, with a usage message, for a language we lack. */
    static boolean apply(String lang, PrintWriter err) {
        if (lang == null) {
            Messages.use(Messages.fromEnvironment(System.getenv()));
            return true;
        }
        String primary = Messages.primary(lang);
        if (!Messages.LANGUAGES.contains(primary)) {
            err.println("mailflow: --lang is " + choices() + ", not \"" + lang + "\"");
            return false;
        }
        Messages.use(primary);
        return true;
    }

    /** The languages there are, as a usage message lists them: "en, zh or fr". */
    static String choices() {
        var all = Messages.LANGUAGES;
        return all.size() == 1 ? all.get(0)
                : String.join(", ", all.subList(0, all.size() - 1)) + " or " + all.get(all.size() - 1);
    }
}
