package dev.mailflow.auth.arc;

import java.util.Locale;

/** The ARC chain validation status, cv= (RFC 8617 4.4): none, pass or fail. */
public enum ArcResult {
    NONE, PASS, FAIL;

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return word();
    }
}
