package dev.mailflow.auth.dkim;

import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The RFC 5322.From domain of a message (the "author domain" of DMARC, RFC 9989 3.2.4): the
 * domain of the mailboxes in its one From field, RFC 5322 section 3.6.2 ({@code From:
 * mailbox-list}) with the address syntax of 3.4 (display names, angle brackets, quoted
 * strings, comments, groups).
 *
 * <p>SECURITY: the field is untrusted text. There is no From domain, rather than a guess, when
 * the message has no From field or more than one (RFC 5322 3.6 allows exactly one), when the
 * mailboxes name different domains, or when a domain is not a host name (an address literal,
 * stray characters): a signer then signs for nobody, and a DMARC check has nothing to align.
 * The result is the lowercase A-label form (RFC 5890), so {@code bücher.example} and
 * {@code xn--bcher-kva.example} are one domain.
 */
public final class FromDomain {

    private FromDomain() {
    }

    /**
     * @param fromFields the values of the message's From header fields (after the colon,
     *                   folding included), in the order they appear; bytes as ISO-8859-1
     *                   characters, as {@link HeaderField} keeps them
     */
    public static Optional<String> of(List<String> fromFields) {
        if (fromFields.size() != 1) {
            return Optional.empty();
        }
        String domain = null;
        for (String mailbox : mailboxes(withoutCommentsAndQuotes(fromFields.get(0)))) {
            String d = domainOf(mailbox);
            if (d == null || (domain != null && !domain.equals(d))) {
                return Optional.empty();
            }
            domain = d;
        }
        return Optional.ofNullable(domain);
    }

    /**
     * The field with each comment removed and each quoted string replaced by {@code ""}
     * (RFC 5322 3.2.2, 3.2.4): what is left has its commas, angle brackets, colons and at signs
     * only where they mean something. Null when a quote or comment is not closed.
     */
    private static String withoutCommentsAndQuotes(String value) {
        var out = new StringBuilder(value.length());
        int depth = 0;
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((quoted || depth > 0) && c == '\\') {
                i++; // quoted-pair: the next character is literal
            } else if (quoted) {
                if (c == '"') {
                    quoted = false;
                    out.append("\"\"");
                }
            } else if (c == '(') {
                depth++;
            } else if (depth > 0) {
                if (c == ')') {
                    depth--;
                }
            } else if (c == '"') {
                quoted = true;
            } else {
                out.append(c == '\r' || c == '\n' || c == '\t' ? ' ' : c);
            }
        }
        return quoted || depth > 0 ? null : out.toString();
    }

    /** The mailboxes of a mailbox-list (groups opened up, 3.4), each as written. */
    private static List<String> mailboxes(String cleaned) {
        var list = new ArrayList<String>();
        if (cleaned == null) {
            list.add("");
            return list;
        }
        var current = new StringBuilder();
        boolean angle = false;
        for (int i = 0; i < cleaned.length(); i++) {
            char c = cleaned.charAt(i);
            if (c == '<') {
                angle = true;
            } else if (c == '>') {
                angle = false;
            }
            if (!angle && (c == ',' || c == ';')) {
                list.add(current.toString());
                current.setLength(0);
            } else if (!angle && c == ':') {
                current.setLength(0); // a group's display name (3.4): its mailboxes follow
            } else {
                current.append(c);
            }
        }
        list.add(current.toString());
        list.removeIf(s -> s.isBlank());
        if (list.isEmpty()) {
            list.add(""); // an empty From has no domain
        }
        return list;
    }

    /** The domain of one mailbox ({@code Name <a@b>} or {@code a@b}), or null. */
    private static String domainOf(String mailbox) {
        String addr = mailbox.strip();
        int open = addr.indexOf('<');
        if (open >= 0) {
            int close = addr.indexOf('>', open);
            if (close < 0) {
                return null;
            }
            addr = addr.substring(open + 1, close).strip();
            int route = addr.lastIndexOf(':'); // obs-route <@relay:user@domain> (4.4)
            if (route >= 0) {
                addr = addr.substring(route + 1);
            }
        }
        int at = addr.lastIndexOf('@');
        if (at <= 0) {
            return null;
        }
        String domain = addr.substring(at + 1).strip();
        if (domain.endsWith(".")) {
            return null;
        }
        String unicode = new String(domain.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
        String ascii;
        try {
            ascii = IDN.toASCII(unicode, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (ascii.length() > 253
                || !ascii.matches("([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
                || !ascii.contains(".")) {
            return null;
        }
        return ascii;
    }
}
