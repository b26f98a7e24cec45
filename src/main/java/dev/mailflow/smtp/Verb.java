package dev.mailflow.smtp;

/**
 * The command table (style.md, principle 2): each verb with the conditions the session
 * checks before it runs the command. STARTTLS and AUTH have their slots here; the
 * connectors that offer them arrive with TLS and authentication support.
 */
public enum Verb {
    //        needsHello  inTransaction  endsPipelineGroup
    HELO(false, true, true),
    EHLO(false, true, true),
    MAIL(true, false, false),
    RCPT(true, true, false),
    DATA(true, true, true),
    BDAT(true, true, false),
    RSET(false, true, false),
    NOOP(false, true, true),
    QUIT(false, true, true),
    HELP(false, true, true),
    VRFY(false, true, true),
    STARTTLS(true, false, true),
    AUTH(true, false, true);

    private final boolean needsHello;
    private final boolean allowedInTransaction;
    private final boolean endsPipelineGroup;

    Verb(boolean needsHello, boolean allowedInTransaction, boolean endsPipelineGroup) {
        this.needsHello = needsHello;
        this.allowedInTransaction = allowedInTransaction;
        this.endsPipelineGroup = endsPipelineGroup;
    }

    /** RFC 5321 4.1.4: MAIL, RCPT, DATA and friends need EHLO or HELO first. */
    public boolean needsHello() {
        return needsHello;
    }

    /** False for commands that RFC 5321 / 4954 / 3207 refuse between MAIL and end of data. */
    public boolean allowedInTransaction() {
        return allowedInTransaction;
    }

    /** RFC 2920 3.1: the commands that can only be the last of a pipelined group. */
    public boolean endsPipelineGroup() {
        return endsPipelineGroup;
    }
}
