package dev.mailflow.auth.arc;

import java.util.Locale;

/** The ARC chain validation status, cv= (RFC 8617 4.4): none, pass or fail. */
public enum ArcResult {
    NONE, PASS, FAIL;

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
