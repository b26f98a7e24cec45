package dev.mailflow.app;

/** What mailflow's exit codes mean (style.md, principle 11). */
public final class ExitCodes {

    private ExitCodes() {
    }

    /** Success: the command did what was asked. */
    public static final int OK = 0;
    /** A check failed, or the server stopped because of an error at run time. */
    public static final int FAILURE = 1;
    /** Usage or configuration error: nothing was done. */
    public static final int USAGE = 2;
    /** Could not resolve or connect. */
    public static final int UNREACHABLE = 3;
}
