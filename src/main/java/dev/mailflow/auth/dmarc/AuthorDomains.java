package dev.mailflow.auth.dmarc;

import dev.mailflow.auth.dkim.ArcSignatures;
import dev.mailflow.auth.dkim.ParsedMessage;
import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * The Author Domain(s) of a message, RFC 9989 5.3.1: the domains of the mailboxes in its
 * RFC5322.From field (RFC 5322 3.6.2, address syntax 3.4), U-labels made A-labels.
 *
 * <p>A message has exactly one From field with one mailbox; anything else is outside DMARC
 * (RFC 9989 4.2, 4.4). What Mailflow does with it, following 5.3.1 and 11.5: no From field,
 * or a mailbox without a usable domain, is "no Author Domain" (result none, with the reason);
 * several From fields or several mailboxes count as all their distinct domains, each of which
 * is evaluated, the strictest outcome winning (11.5, as RFC 7489 recommended), so that adding
 * a second From cannot hide a spoofed one; more than {@link #MAX} distinct domains are not
 * evaluated at all (11.5 warns of the cost), which is reported as such.
 *
 * <p>SECURITY: the field is untrusted; parsing never throws.
 */
final class AuthorDomains {

    static final int MAX = 5;

    /**
     * @param domains the distinct Author Domains, in order; empty when there is none usable
     * @param fields  how many From fields the message has
     * @param problem why there is no usable Author Domain, or null
     */
    record Result(List<String> domains, int fields, String problem) {
    }

    private AuthorDomains() {
    }

    static Result of(ParsedMessage message) {
        var values = new ArrayList<String>();
        for (ArcSignatures.Field f : message.fields()) {
            if (f.is("From")) {
                values.add(utf8(f.value().replace("\r\n", "")));
            }
        }
        if (values.isEmpty()) {
            return new Result(List.of(), 0, "the message has no From header field");
        }
        var domains = new LinkedHashSet<String>();
        for (String v : values) {
            List<String> addresses = mailboxes(v);
            if (addresses.isEmpty()) {
                return new Result(List.of(), values.size(), "the From field holds no address");
            }
            for (String a : addresses) {
                int at = a.lastIndexOf('@');
                if (at < 0) {
                    return new Result(List.of(), values.size(),
                            "the From address \"" + DmarcRecord.shorten(a) + "\" has no domain");
                }
                String d = domain(a.substring(at + 1).strip());
                if (d == null) {
                    return new Result(List.of(), values.size(), "the From domain \""
                            + DmarcRecord.shorten(a.substring(at + 1).strip()) + "\" is not a domain name");
                }
                domains.add(d);
            }
        }
        return new Result(List.copyOf(domains), values.size(), null);
    }

    /** The field's octets (one char each) read as UTF-8 (RFC 6532 allows UTF-8 addresses). */
    private static String utf8(String latin1) {
        return new String(latin1.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    /** The domain as an A-label in lower case, or null when it is not a host name (a literal, say). */
    static String domain(String raw) {
        String d = raw.endsWith(".") ? raw.substring(0, raw.length() - 1) : raw;
        if (d.isEmpty() || d.startsWith("[")) {
            return null;
        }
        try {
            d = IDN.toASCII(d, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return null;
        }
        return d.length() <= 253 && isLdh(d) ? d : null;
    }

    /**
     * Whether a lower-case name is dot-separated labels of 1 to 63 of a-z, 0-9, '_' and '-',
     * none starting or ending with '-' (host names, and the underscore labels of DNS).
     */
    static boolean isLdh(String d) {
        int labelStart = 0;
        for (int i = 0; i <= d.length(); i++) {
            char c = i < d.length() ? d.charAt(i) : '.';
            if (c == '.') {
                int length = i - labelStart;
                if (length < 1 || length > 63 || d.charAt(labelStart) == '-' || d.charAt(i - 1) == '-') {
                    return false;
                }
                labelStart = i + 1;
            } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** The text without the characters of the regular expression {@code \\s}: SP, HT, LF, VT, FF, CR. */
    private static String withoutWhiteSpace(String s) {
        var sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\n' && c != 0x0b && c != '\f' && c != '\r') {
                sb.append(c);
            }
        }
        return sb.length() == s.length() ? s : sb.toString();
    }

    /**
     * The addr-specs of an address list (RFC 5322 3.4): display names and comments dropped,
     * an angle-addr's content (after any obsolete route) kept, groups opened up. Quoted strings
     * are kept as written, so an '@' inside a quoted local part is not taken for the domain's.
     */
    static List<String> mailboxes(String value) {
        var out = new ArrayList<String>();
        var outside = new StringBuilder();
        var angle = new StringBuilder();
        boolean inAngle = false;
        boolean sawAngle = false;
        boolean inQuote = false;
        int comment = 0;
        for (int i = 0; i <= value.length(); i++) {
            char c = i < value.length() ? value.charAt(i) : ',';
            if (comment > 0) {
                if (c == '\\') {
                    i++;
                } else if (c == '(') {
                    comment++;
                } else if (c == ')') {
                    comment--;
                }
                continue;
            }
            StringBuilder target = inAngle ? angle : outside;
            if (inQuote) {
                target.append(c);
                if (c == '\\' && i + 1 < value.length()) {
                    target.append(value.charAt(++i));
                } else if (c == '"') {
                    inQuote = false;
                }
                continue;
            }
            switch (c) {
                case '"' -> {
                    inQuote = true;
                    target.append(c);
                }
                case '(' -> comment++;
                case '<' -> {
                    inAngle = true;
                    sawAngle = true;
                    angle.setLength(0);
                }
                case '>' -> inAngle = false;
                case ':' -> {
                    if (inAngle) {
                        angle.setLength(0); // an obsolete route, @a,@b:user@domain
                    } else {
                        outside.setLength(0); // a group's display name
                    }
                }
                case ',', ';' -> {
                    if (inAngle) {
                        angle.append(c);
                    } else {
                        String addr = (sawAngle ? angle.toString() : outside.toString()).strip();
                        if (!addr.isEmpty()) {
                            out.add(withoutWhiteSpace(addr));
                        }
                        outside.setLength(0);
                        angle.setLength(0);
                        sawAngle = false;
                    }
                }
                default -> target.append(c);
            }
        }
        return out;
    }
}
