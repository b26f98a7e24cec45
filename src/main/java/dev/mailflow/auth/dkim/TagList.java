package dev.mailflow.auth.dkim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A DKIM tag list, RFC 6376 section 3.2: {@code name=value} pairs separated by {@code ;},
 * used by the DKIM-Signature header field (3.5) and the key record (3.6.1).
 *
 * <p>Tag names are case-sensitive; a name that occurs twice makes the whole list invalid;
 * unknown tags are kept (callers ignore them); whitespace (FWS) around names and values is
 * dropped, whitespace inside a value is kept. Each tag remembers where its value sits in the
 * text, so that the verifier can blank the {@code b=} value of the exact header it received
 * (3.7).
 *
 * <p>SECURITY: the text comes from the network. Parsing never throws anything but
 * {@link Invalid}, whose message is our own words about the offending tag.
 */
final class TagList {

    /** One tag; {@code valueStart}/{@code valueEnd} bound the text after {@code =} up to {@code ;}. */
    record Tag(String name, String value, int valueStart, int valueEnd) {
    }

    /** The list is not a valid tag list; {@code tag} is the offending tag's name, or "" when none. */
    static final class Invalid extends Exception {
        private final String tag;

        Invalid(String tag, String message) {
            super(message, null, false, false);
            this.tag = tag;
        }

        String tag() {
            return tag;
        }
    }

    private final Map<String, Tag> tags;

    private TagList(Map<String, Tag> tags) {
        this.tags = tags;
    }

    static TagList parse(String text) throws Invalid {
        var tags = new LinkedHashMap<String, Tag>();
        int pos = 0;
        while (pos <= text.length()) {
            int semi = text.indexOf(';', pos);
            int end = semi < 0 ? text.length() : semi;
            String spec = text.substring(pos, end);
            if (!spec.isBlank()) {
                int eq = spec.indexOf('=');
                if (eq < 0) {
                    throw new Invalid(trimFws(spec), "\"" + shorten(trimFws(spec)) + "\" is not of the form name=value");
                }
                String name = trimFws(spec.substring(0, eq));
                if (!validName(name)) {
                    throw new Invalid(name, "\"" + shorten(name) + "\" is not a valid tag name");
                }
                String value = trimFws(spec.substring(eq + 1));
                if (tags.putIfAbsent(name, new Tag(name, value, pos + eq + 1, end)) != null) {
                    throw new Invalid(name, "tag " + name + "= occurs twice");
                }
            }
            if (semi < 0) {
                break;
            }
            pos = semi + 1;
        }
        return new TagList(Collections.unmodifiableMap(tags));
    }

    Optional<String> get(String name) {
        Tag t = tags.get(name);
        return t == null ? Optional.empty() : Optional.of(t.value());
    }

    Optional<Tag> tag(String name) {
        return Optional.ofNullable(tags.get(name));
    }

    boolean has(String name) {
        return tags.containsKey(name);
    }

    /** The first tag's name, for rules such as "v= must come first" (3.6.1). */
    Optional<String> firstName() {
        return tags.keySet().stream().findFirst();
    }

    /** tag-name = ALPHA *ALNUMPUNC (3.2). */
    private static boolean validName(String name) {
        if (name.isEmpty() || !isAlpha(name.charAt(0))) {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!isAlpha(c) && !(c >= '0' && c <= '9') && c != '_') {
                return false;
            }
        }
        return true;
    }

    private static boolean isAlpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    /** Drops FWS (SP, HTAB, CR, LF) at both ends. */
    static String trimFws(String s) {
        int a = 0;
        int b = s.length();
        while (a < b && isFws(s.charAt(a))) {
            a++;
        }
        while (b > a && isFws(s.charAt(b - 1))) {
            b--;
        }
        return s.substring(a, b);
    }

    /** Removes every FWS character: base64 values may be folded anywhere (3.5, b= and bh=). */
    static String stripFws(String s) {
        char[] out = null;
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (isFws(c)) {
                if (out == null) {
                    out = new char[s.length() - 1];
                    s.getChars(0, i, out, 0);
                    n = i;
                }
            } else if (out != null) {
                out[n++] = c;
            }
        }
        return out == null ? s : new String(out, 0, n);
    }

    static boolean isFws(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    /**
     * An untrusted value as a report shows it (d=, s=, i=): the octets read as UTF-8 (RFC 8616
     * allows UTF-8 domains), control and bidi-override characters as '?', at most {@code max}
     * characters.
     */
    static String display(String latin1, int max) {
        String s = new String(latin1.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1),
                java.nio.charset.StandardCharsets.UTF_8);
        var sb = new StringBuilder(Math.min(s.length(), max));
        for (int i = 0; i < s.length() && sb.length() < max; i++) {
            char c = s.charAt(i);
            boolean unsafe = c < 0x20 || (c >= 0x7f && c < 0xa0) || (c >= 0x202a && c <= 0x202e)
                    || (c >= 0x2066 && c <= 0x2069);
            sb.append(unsafe ? '?' : c);
        }
        return s.length() > max ? sb + "..." : sb.toString();
    }

    /** Untrusted text quoted in a reason: printable ASCII only, at most 40 characters. */
    static String shorten(String s) {
        var sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < 40; i++) {
            char c = s.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return s.length() > 40 ? sb + "..." : sb.toString();
    }
}
