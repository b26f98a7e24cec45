package dev.mailflow.smtp;

/**
 * A parsed SMTP command line (RFC 5321 4.1.1). The parser turns every line into exactly one
 * of these records; a line it cannot accept becomes {@link Invalid} carrying the reply.
 */
public sealed interface Command {

    /** The verb, or null for {@link Invalid}. */
    Verb verb();

    record Helo(String domain) implements Command {
        public Verb verb() {
            return Verb.HELO;
        }
    }

    record Ehlo(String domain) implements Command {
        public Verb verb() {
            return Verb.EHLO;
        }
    }

    /** MAIL FROM: the reverse path ({@link MailAddress#NULL_SENDER} for {@code <>}) and parameters. */
    record Mail(MailAddress sender, MailParameters parameters) implements Command {
        public Verb verb() {
            return Verb.MAIL;
        }
    }

    record Rcpt(MailAddress recipient, RcptParameters parameters) implements Command {
        public Verb verb() {
            return Verb.RCPT;
        }
    }

    record Data() implements Command {
        public Verb verb() {
            return Verb.DATA;
        }
    }

    /** RFC 3030 {@code BDAT chunk-size [LAST]}. */
    record Bdat(long size, boolean last) implements Command {
        public Verb verb() {
            return Verb.BDAT;
        }
    }

    record Rset() implements Command {
        public Verb verb() {
            return Verb.RSET;
        }
    }

    record Noop() implements Command {
        public Verb verb() {
            return Verb.NOOP;
        }
    }

    record Quit() implements Command {
        public Verb verb() {
            return Verb.QUIT;
        }
    }

    record Help(String topic) implements Command {
        public Verb verb() {
            return Verb.HELP;
        }
    }

    record Vrfy(String argument) implements Command {
        public Verb verb() {
            return Verb.VRFY;
        }
    }

    record StartTls() implements Command {
        public Verb verb() {
            return Verb.STARTTLS;
        }
    }

    /** RFC 4954 {@code AUTH mechanism [initial-response]}. */
    record Auth(String mechanism, String initialResponse) implements Command {
        public Verb verb() {
            return Verb.AUTH;
        }
    }

    /**
     * A line that was refused by the parser. {@code bdatSize} is the chunk size of a BDAT
     * line whose other arguments were bad, so the session can still skip the chunk (or -1).
     * {@code attempted} is the verb the line began with when it is a known one (or null), so
     * the session can give a sequence error first, as Postfix and Exchange do: MAIL with a bad
     * address before EHLO gets 503, not 501.
     */
    record Invalid(Reply reply, long bdatSize, Verb attempted) implements Command {
        public Invalid(Reply reply) {
            this(reply, -1, null);
        }

        public Invalid(Reply reply, long bdatSize) {
            this(reply, bdatSize, null);
        }

        public Verb verb() {
            return null;
        }
    }
}
