package dev.mailflow.smtp;

/**
 * Strict parser for the mailbox inside a MAIL or RCPT path, RFC 5321 4.1.2, with the
 * RFC 6531 extension for UTF-8 when the transaction uses SMTPUTF8.
 *
 * <pre>
 * Path           = "&lt;" [ A-d-l ":" ] Mailbox "&gt;"
 * Mailbox        = Local-part "@" ( Domain / address-literal )
 * Local-part     = Dot-string / Quoted-string
 * </pre>
 *
 * A source route (A-d-l) is accepted and ignored, as 4.1.1.3 requires. SECURITY: input is
 * untrusted; every failure returns null, nothing throws.
 */
public final class AddressParser {

    /** RFC 5321 4.5.3.1.1 and 4.5.3.1.3. */
    public static final int MAX_LOCAL_PART_OCTETS = 64;
    public static final int MAX_PATH_OCTETS = 256;

    private AddressParser() {
    }

    /**
     * Parses the text between the angle brackets (or a bare address typed without them).
     *
     * @param text the path without brackets; empty means the null path
     * @param utf8 whether non-ASCII is allowed (RFC 6531)
     * @return the address, {@link MailAddress#NULL_SENDER} for an empty path, or null when invalid
     */
    public static MailAddress parsePath(String text, boolean utf8) {
        if (text.isEmpty()) {
            return MailAddress.NULL_SENDER;
        }
        if (Domains.utf8Length(text) > MAX_PATH_OCTETS) {
            return null;
        }
        String mailbox = text;
        if (text.startsWith("@")) {
            int colon = text.indexOf(':');
            if (colon < 0 || !isValidRoute(text.substring(0, colon))) {
                return null;
            }
            mailbox = text.substring(colon + 1);
        }
        return parseMailbox(mailbox, utf8);
    }

    /** {@code Mailbox = Local-part "@" ( Domain / address-literal )}. */
    public static MailAddress parseMailbox(String text, boolean utf8) {
        int at = atSign(text);
        if (at <= 0 || at == text.length() - 1) {
            return null;
        }
        String local = text.substring(0, at);
        String domain = text.substring(at + 1);
        if (Domains.utf8Length(local) > MAX_LOCAL_PART_OCTETS || !isValidLocalPart(local, utf8)) {
            return null;
        }
        boolean domainOk = domain.startsWith("[") ? Domains.isValidAddressLiteral(domain)
                : Domains.isValidDomain(domain, utf8);
        return domainOk ? new MailAddress(local, domain) : null;
    }

    /** The '@' that separates local part and domain: the first one after a quoted string. */
    private static int atSign(String text) {
        if (text.startsWith("\"")) {
            int i = 1;
            while (i < text.length()) {
                char c = text.charAt(i);
                if (c == '\\') {
                    i += 2;
                    continue;
                }
                if (c == '"') {
                    return i + 1 < text.length() && text.charAt(i + 1) == '@' ? i + 1 : -1;
                }
                i++;
            }
            return -1;
        }
        return text.indexOf('@');
    }

    static boolean isValidLocalPart(String local, boolean utf8) {
        if (local.startsWith("\"")) {
            return isValidQuotedString(local, utf8);
        }
        // Dot-string = Atom *("." Atom)
        if (local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
            return false;
        }
        for (int i = 0; i < local.length(); i++) {
            char c = local.charAt(i);
            if (c != '.' && !isAtext(c, utf8)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isValidQuotedString(String s, boolean utf8) {
        if (s.length() < 2 || !s.endsWith("\"")) {
            return false;
        }
        for (int i = 1; i < s.length() - 1; i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                // quoted-pairSMTP = %d92 %d32-126
                if (i + 1 >= s.length() - 1) {
                    return false;
                }
                char next = s.charAt(++i);
                if (next < 32 || next > 126) {
                    return false;
                }
            } else if (c == '"') {
                return false;
            } else if (c > 127) {
                if (!utf8 || Character.isISOControl(c)) {
                    return false;
                }
            } else if (c < 32 || c == 127) {
                // qtextSMTP = %d32-33 / %d35-91 / %d93-126
                return false;
            }
        }
        return true;
    }

    /** RFC 5322 atext, and UTF8-non-ascii under RFC 6531. */
    static boolean isAtext(char c, boolean utf8) {
        if (c > 127) {
            return utf8 && !Character.isISOControl(c) && !Character.isWhitespace(c);
        }
        return Domains.isAsciiLetterOrDigit(c) || "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0;
    }

    /** {@code A-d-l = At-domain *( "," At-domain )}, {@code At-domain = "@" Domain}. */
    private static boolean isValidRoute(String route) {
        for (String hop : route.split(",", -1)) {
            if (!hop.startsWith("@") || !Domains.isValidDomain(hop.substring(1), false)) {
                return false;
            }
        }
        return true;
    }
}
