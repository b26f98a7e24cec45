package dev.mailflow.smtp;

/**
 * The fixed protocol limits of RFC 5321 4.5.3.1 and the extensions that widen them. The
 * limits an operator sets per connector (size, recipients, timeouts) live in the
 * connector configuration instead.
 */
public final class SmtpLimits {

    private SmtpLimits() {
    }

    /** RFC 5321 4.5.3.1.4: 512 octets including the CRLF. */
    public static final int COMMAND_LINE_OCTETS = 512;

    /** Longest line read before the verb is known; longer lines are always refused. */
    public static final int READ_LIMIT_OCTETS = 2048;

    /**
     * The longest command line accepted for a verb, CRLF included: MAIL is widened by SIZE
     * (RFC 1870, 26), RET and ENVID (RFC 3461, 100), AUTH= (RFC 4954, 500) and BODY and
     * SMTPUTF8 (about 30); RCPT by NOTIFY and ORCPT (RFC 3461, 500).
     */
    public static int commandLineOctets(String line) {
        int space = line.indexOf(' ');
        String verb = space < 0 ? line : line.substring(0, space);
        if (verb.equalsIgnoreCase("MAIL")) {
            return COMMAND_LINE_OCTETS + 26 + 100 + 500 + 30;
        }
        if (verb.equalsIgnoreCase("RCPT")) {
            return COMMAND_LINE_OCTETS + 500;
        }
        return COMMAND_LINE_OCTETS;
    }
}
