package dev.mailflow.directory;

/** What the directory knows of a recipient address. */
public enum RecipientStatus {
    /** A mailbox of ours. */
    MAILBOX,
    /** An alias of ours that expands to other addresses. */
    ALIAS,
    /** An unknown local part in a domain with a catch-all. */
    CATCH_ALL,
    /** {@code <postmaster>} or postmaster@ any accepted domain (RFC 5321 4.5.1). */
    POSTMASTER,
    /** An accepted domain, but no such user. */
    UNKNOWN_USER,
    /** Not one of our domains: delivering it would be relaying. */
    NOT_OURS
}
