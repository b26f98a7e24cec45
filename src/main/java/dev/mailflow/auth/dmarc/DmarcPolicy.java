package dev.mailflow.auth.dmarc;

import java.util.Locale;

/** What a domain owner asks receivers to do with mail that fails DMARC (p=, sp=, np=). */
public enum DmarcPolicy {
    NONE, QUARANTINE, REJECT;

    /** The word, made once: results are rendered for every message. */
    private final String word = name().toLowerCase(Locale.ROOT);

    public String word() {
        return word;
    }

    @Override
    public String toString() {
        return word();
    }
}
