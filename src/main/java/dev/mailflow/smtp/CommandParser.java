package dev.mailflow.smtp;

import java.util.Locale;

/**
 * Turns one command line (its CRLF or bare LF already removed) into a {@link Command}.
 *
 * <p>Lenient where people type by hand, as Exchange and Postfix are: verbs and parameter
 * keywords in any case, {@code MAIL FROM:addr}, {@code MAIL FROM: addr} and
 * {@code RCPT TO: <a@b>}, extra spaces between words. The address itself is parsed strictly
 * ({@link AddressParser}). SECURITY: the input is untrusted; this method never throws and
 * always returns a command or an {@link Command.Invalid} with the reply to send.
 */
public final class CommandParser {

    private CommandParser() {
    }

    /** Lines that show an HTTP client talking to the SMTP port (cross-protocol attacks). */
    public static boolean isHttpRequest(String line) {
        int space = line.indexOf(' ');
        if (space <= 0) {
            return false;
        }
        return switch (line.substring(0, space)) {
            case "GET", "POST", "HEAD", "PUT", "CONNECT", "OPTIONS" -> true;
            default -> false;
        };
    }

    public static Command parse(String line) {
        if (line.indexOf('\0') >= 0) {
            return new Command.Invalid(Reply.INVALID_CHARACTER);
        }
        String trimmed = stripTrailing(line);
        int space = trimmed.indexOf(' ');
        String verb = (space < 0 ? trimmed : trimmed.substring(0, space)).toUpperCase(Locale.ROOT);
        String args = space < 0 ? "" : trimmed.substring(space + 1).stripLeading();
        Command command = switch (verb) {
            case "HELO" -> Domains.isValidHeloArgument(args) ? new Command.Helo(args)
                    : new Command.Invalid(Reply.INVALID_DOMAIN);
            case "EHLO" -> Domains.isValidHeloArgument(args) ? new Command.Ehlo(args)
                    : new Command.Invalid(Reply.INVALID_DOMAIN);
            case "MAIL" -> parseMail(args);
            case "RCPT" -> parseRcpt(args);
            case "DATA" -> args.isEmpty() ? new Command.Data() : new Command.Invalid(Reply.SYNTAX_ERROR);
            case "BDAT" -> parseBdat(args);
            case "RSET" -> args.isEmpty() ? new Command.Rset() : new Command.Invalid(Reply.SYNTAX_ERROR);
            case "NOOP" -> new Command.Noop();
            case "QUIT" -> args.isEmpty() ? new Command.Quit() : new Command.Invalid(Reply.SYNTAX_ERROR);
            case "HELP" -> new Command.Help(args);
            case "VRFY" -> args.isEmpty() ? new Command.Invalid(Reply.SYNTAX_ERROR) : new Command.Vrfy(args);
            case "STARTTLS" -> args.isEmpty() ? new Command.StartTls() : new Command.Invalid(Reply.SYNTAX_ERROR);
            case "AUTH" -> parseAuth(args);
            default -> new Command.Invalid(Reply.UNRECOGNIZED);
        };
        if (command instanceof Command.Invalid invalid && invalid.reply() != Reply.UNRECOGNIZED) {
            return new Command.Invalid(invalid.reply(), invalid.bdatSize(), Verb.valueOf(verb));
        }
        return command;
    }

    private static Command parseMail(String args) {
        String rest = afterKeyword(args, "FROM:");
        if (rest == null) {
            return new Command.Invalid(Reply.SYNTAX_ERROR);
        }
        var split = PathAndParameters.split(rest);
        if (split == null) {
            return new Command.Invalid(Reply.INVALID_SENDER);
        }
        var params = EsmtpParameters.parseMail(split.parameters());
        if (!params.ok()) {
            return new Command.Invalid(params.error());
        }
        var sender = AddressParser.parsePath(split.path(), true);
        if (sender == null || sender.isBarePostmaster()) {
            return new Command.Invalid(Reply.INVALID_SENDER);
        }
        if (sender.isInternationalized() && !params.value().smtpUtf8()) {
            return new Command.Invalid(Reply.UTF8_ADDRESS_WITHOUT_SMTPUTF8);
        }
        return new Command.Mail(sender, params.value());
    }

    private static Command parseRcpt(String args) {
        String rest = afterKeyword(args, "TO:");
        if (rest == null) {
            return new Command.Invalid(Reply.SYNTAX_ERROR);
        }
        var split = PathAndParameters.split(rest);
        if (split == null) {
            return new Command.Invalid(Reply.INVALID_RECIPIENT);
        }
        var params = EsmtpParameters.parseRcpt(split.parameters());
        if (!params.ok()) {
            return new Command.Invalid(params.error());
        }
        MailAddress recipient;
        if (split.path().equalsIgnoreCase("postmaster")) {
            recipient = new MailAddress(split.path(), "");
        } else {
            recipient = AddressParser.parsePath(split.path(), true);
            if (recipient == null || recipient.isNullSender()) {
                return new Command.Invalid(Reply.INVALID_RECIPIENT);
            }
        }
        return new Command.Rcpt(recipient, params.value());
    }

    private static Command parseBdat(String args) {
        String[] parts = args.isEmpty() ? new String[0] : args.split(" +");
        if (parts.length == 0 || parts.length > 2 || parts[0].length() > 18 || !parts[0].chars()
                .allMatch(c -> c >= '0' && c <= '9')) {
            return new Command.Invalid(Reply.SYNTAX_ERROR);
        }
        long size = Long.parseLong(parts[0]);
        if (parts.length == 2 && !parts[1].equalsIgnoreCase("LAST")) {
            return new Command.Invalid(Reply.SYNTAX_ERROR, size);
        }
        return new Command.Bdat(size, parts.length == 2);
    }

    private static Command parseAuth(String args) {
        String[] parts = args.isEmpty() ? new String[0] : args.split(" +");
        if (parts.length == 0 || parts.length > 2) {
            return new Command.Invalid(Reply.SYNTAX_ERROR);
        }
        return new Command.Auth(parts[0].toUpperCase(Locale.ROOT), parts.length == 2 ? parts[1] : null);
    }

    /** Case-insensitive "FROM:" / "TO:" prefix, with spaces after the colon allowed. */
    private static String afterKeyword(String args, String keyword) {
        if (args.length() < keyword.length() || !args.regionMatches(true, 0, keyword, 0, keyword.length())) {
            return null;
        }
        return args.substring(keyword.length()).stripLeading();
    }

    private static String stripTrailing(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t' || s.charAt(end - 1) == '\r')) {
            end--;
        }
        return s.substring(0, end);
    }

    /** The path (between angle brackets, or a bare address) and the parameter text after it. */
    record PathAndParameters(String path, String parameters) {

        static PathAndParameters split(String text) {
            if (text.startsWith("<")) {
                int close = closingBracket(text);
                if (close < 0) {
                    return null;
                }
                String after = text.substring(close + 1);
                if (!after.isEmpty() && after.charAt(0) != ' ') {
                    return null;
                }
                return new PathAndParameters(text.substring(1, close), after);
            }
            if (text.isEmpty()) {
                return null;
            }
            int end = endOfBareAddress(text);
            String path = text.substring(0, end);
            if (path.indexOf('<') >= 0 || path.indexOf('>') >= 0) {
                return null;
            }
            return new PathAndParameters(path, text.substring(end));
        }

        private static int closingBracket(String text) {
            boolean quoted = false;
            for (int i = 1; i < text.length(); i++) {
                char c = text.charAt(i);
                if (quoted && c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = !quoted;
                } else if (c == '>' && !quoted) {
                    return i;
                }
            }
            return -1;
        }

        private static int endOfBareAddress(String text) {
            boolean quoted = false;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (quoted && c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = !quoted;
                } else if (c == ' ' && !quoted) {
                    return i;
                }
            }
            return text.length();
        }
    }
}
