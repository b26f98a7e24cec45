package dev.mailflow.smtp;

import java.net.IDN;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Domain names and address literals, RFC 5321 4.1.2 and 4.1.3, with U-labels allowed
 * where RFC 6531 allows them. SECURITY: input is untrusted; nothing here resolves names.
 */
public final class Domains {

    private Domains() {
    }

    /** RFC 5321 4.5.3.1.2: a domain name is at most 255 octets. */
    public static final int MAX_DOMAIN_OCTETS = 255;

    /**
     * True when {@code text} is a syntactically valid domain: labels of letters, digits and
     * hyphens, not starting or ending with a hyphen, at most 63 octets each. Non-ASCII
     * labels are accepted when {@code utf8} is set (RFC 6531 U-labels).
     */
    public static boolean isValidDomain(String text, boolean utf8) {
        if (text == null || text.isEmpty() || utf8Length(text) > MAX_DOMAIN_OCTETS) {
            return false;
        }
        int start = 0;
        while (true) {
            int dot = text.indexOf('.', start);
            int end = dot < 0 ? text.length() : dot;
            if (!isValidLabel(text, start, end, utf8)) {
                return false;
            }
            if (dot < 0) {
                return true;
            }
            start = dot + 1;
        }
    }

    private static boolean isValidLabel(String text, int start, int end, boolean utf8) {
        int length = end - start;
        if (length == 0 || utf8Length(text.substring(start, end)) > 63) {
            return false;
        }
        if (text.charAt(start) == '-' || text.charAt(end - 1) == '-') {
            return false;
        }
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            boolean ok = isAsciiLetterOrDigit(c) || c == '-' || (utf8 && c > 127 && !Character.isWhitespace(c)
                    && !Character.isISOControl(c));
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * The argument of EHLO/HELO: a domain (a trailing dot and underscores, which real
     * Windows hosts send, are tolerated) or an address literal.
     */
    public static boolean isValidHeloArgument(String text) {
        if (text == null || text.isEmpty()) {
            return false;
        }
        if (text.startsWith("[")) {
            return isValidAddressLiteral(text);
        }
        String name = text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
        return isValidDomain(name.replace('_', 'a'), true);
    }

    /**
     * RFC 5321 4.1.3: {@code [1.2.3.4]}, {@code [IPv6:...]} or a general address literal
     * {@code [tag:content]}.
     */
    public static boolean isValidAddressLiteral(String text) {
        if (text.length() < 3 || text.charAt(0) != '[' || text.charAt(text.length() - 1) != ']') {
            return false;
        }
        String inner = text.substring(1, text.length() - 1);
        if (isIpv4(inner)) {
            return true;
        }
        int colon = inner.indexOf(':');
        if (colon <= 0) {
            return false;
        }
        String tag = inner.substring(0, colon);
        String content = inner.substring(colon + 1);
        if (tag.equalsIgnoreCase("IPv6")) {
            return isIpv6(content);
        }
        // General-address-literal: Standardized-tag ":" 1*dcontent
        if (!isValidLabel(tag, 0, tag.length(), false) || content.isEmpty()) {
            return false;
        }
        for (int i = 0; i < content.length(); i++) {
            char c = content.charAt(i);
            if (c < 33 || c > 126 || c == '[' || c == '\\' || c == ']') {
                return false;
            }
        }
        return true;
    }

    /** A dotted-quad IPv4 address. */
    public static boolean isIpv4Literal(String text) {
        return isIpv4(text);
    }

    /** An IPv6 address in text form, without brackets. */
    public static boolean isIpv6Literal(String text) {
        return isIpv6(text);
    }

    static boolean isIpv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3) {
                return false;
            }
            for (int i = 0; i < p.length(); i++) {
                if (p.charAt(i) < '0' || p.charAt(i) > '9') {
                    return false;
                }
            }
            if (Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    static boolean isIpv6(String text) {
        if (text.isEmpty() || text.length() > 45 || text.indexOf(':') < 0) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(c == ':' || c == '.' || Character.digit(c, 16) >= 0)) {
                return false;
            }
        }
        try {
            // Only hex digits, colons and dots reach here: a literal, never a DNS lookup.
            return InetAddress.getByName(text) instanceof Inet6Address;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * The form used to compare domains: lower case, A-labels for internationalised names,
     * no trailing dot. Returns the input lower-cased when IDNA conversion refuses it.
     */
    public static String canonical(String domain) {
        String d = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
        if (d.startsWith("[")) {
            return d.toLowerCase(Locale.ROOT);
        }
        try {
            return IDN.toASCII(d, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return d.toLowerCase(Locale.ROOT);
        }
    }

    static boolean isAsciiLetterOrDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
