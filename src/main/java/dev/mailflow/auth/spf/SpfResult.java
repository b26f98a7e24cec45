package dev.mailflow.auth.spf;

import java.util.Locale;

/** The results of check_host() (RFC 7208 2.6), with the words RFC 7208 and RFC 8601 use. */
public enum SpfResult {
    /** No SPF record, or no domain that SPF can check (2.6.1). */
    NONE,
    /** The record says nothing about this address (2.6.2). */
    NEUTRAL,
    /** The address is authorized (2.6.3). */
    PASS,
    /** The address is not authorized (2.6.4). */
    FAIL,
    /** Probably not authorized, but the domain will not say so firmly (2.6.5). */
    SOFTFAIL,
    /** A DNS error that may go away: try again later (2.6.6). */
    TEMPERROR,
    /** The record is broken, or the limits were exceeded: the domain must fix it (2.6.7). */
    PERMERROR;

    /** "pass", "fail", ...: the word for Authentication-Results and the tester's JSON. */
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
