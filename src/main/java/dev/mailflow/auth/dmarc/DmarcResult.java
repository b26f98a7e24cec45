package dev.mailflow.auth.dmarc;

import java.util.Locale;

/** The DMARC result of a message (RFC 9989; the words of RFC 8601 2.7.x for dmarc=). */
public enum DmarcResult {
    /** The From domain publishes no DMARC policy, or there is no usable From domain. */
    NONE,
    /** An aligned SPF or DKIM pass. */
    PASS,
    /** A policy exists, and neither SPF nor DKIM passed aligned. */
    FAIL,
    /** A DNS failure kept the policy from being found. */
    TEMPERROR,
    /** The policy record is unusable. */
    PERMERROR;

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
