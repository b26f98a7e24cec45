package dev.mailflow.auth.dmarc;

import java.util.Locale;

/** What a domain owner asks receivers to do with mail that fails DMARC (p=, sp=, np=). */
public enum DmarcPolicy {
    NONE, QUARANTINE, REJECT;

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return word();
    }
}
