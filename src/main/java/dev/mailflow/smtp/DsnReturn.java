package dev.mailflow.smtp;

/** The RET parameter of MAIL, RFC 3461 4.3: return the full message or headers only. */
public enum DsnReturn {
    FULL, HDRS
}
