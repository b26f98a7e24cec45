package dev.mailflow.smtp;

/** The NOTIFY values of RCPT, RFC 3461 4.1. NEVER excludes the others. */
public enum DsnNotify {
    NEVER, SUCCESS, FAILURE, DELAY
}
