package dev.mailflow.auth.spf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A macro-string of RFC 7208 7.1, parsed: literal text and macro-expands, checked when the
 * record is read (so that an error anywhere in a record is a permerror before anything is
 * evaluated, 4.6) and expanded later against a check's values (7.3).
 *
 * <p>Three flavours share one parser: a domain-spec (must end in "." toplabel or a macro;
 * macros c, r, t are not allowed), an explanation string (spaces and c, r, t allowed; 6.2) and
 * the value of an unknown modifier (only checked, never expanded; 6).
 *
 * <p>SECURITY: expansion inserts the sender's own text (local-part, HELO) into DNS names and
 * explanations; upper-case macros URL-escape it, and names are length-checked before use.
 */
final class MacroString {

    enum Kind {
        DOMAIN_SPEC, EXPLANATION, UNKNOWN_MODIFIER
    }

    /** Literal text, or the text of %%, %_ and %- (which are macro-expands in the grammar). */
    private record Literal(String text, boolean escape) implements Part {
    }

    /** %{letter digits r delimiters}; an upper-case letter asks for URL escaping. */
    private record Macro(char letter, boolean upper, int digits, boolean reverse, String delimiters) implements Part {
    }

    private sealed interface Part permits Literal, Macro {
    }

    private static final String LETTERS = "slodiphcrtv";
    private static final String EXP_ONLY = "crt";
    private static final String DELIMITERS = ".-+,/_=";
    private static final Pattern TOPLABEL = Pattern.compile(
            "[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9-]*[A-Za-z0-9]");

    private final String source;
    private final List<Part> parts;

    private MacroString(String source, List<Part> parts) {
        this.source = source;
        this.parts = parts;
    }

    static MacroString domainSpec(String s) throws SpfSyntaxException {
        if (s.isEmpty()) {
            throw new SpfSyntaxException("a domain is missing");
        }
        var m = parse(s, Kind.DOMAIN_SPEC);
        m.checkDomainEnd();
        return m;
    }

    static MacroString explanation(String s) throws SpfSyntaxException {
        return parse(s, Kind.EXPLANATION);
    }

    static MacroString unknownModifier(String s) throws SpfSyntaxException {
        return parse(s, Kind.UNKNOWN_MODIFIER);
    }

    private static MacroString parse(String s, Kind kind) throws SpfSyntaxException {
        var parts = new ArrayList<Part>();
        var literal = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            char ch = s.charAt(i);
            if (ch != '%') {
                boolean visible = ch >= 0x21 && ch <= 0x7e;
                if (!visible && !(ch == ' ' && kind == Kind.EXPLANATION)) {
                    throw new SpfSyntaxException("\"" + printable(s) + "\" contains " + describe(ch)
                            + ", which SPF does not allow (RFC 7208 7.1)");
                }
                literal.append(ch);
                i++;
                continue;
            }
            if (i + 1 >= s.length()) {
                throw new SpfSyntaxException("\"" + printable(s) + "\" ends with a lone %; write %% for a percent sign");
            }
            char next = s.charAt(i + 1);
            String escaped = switch (next) {
                case '%' -> "%";
                case '_' -> " ";
                case '-' -> "%20";
                default -> null;
            };
            if (literal.length() > 0) {
                parts.add(new Literal(literal.toString(), false));
                literal.setLength(0);
            }
            if (escaped != null) {
                parts.add(new Literal(escaped, true));
                i += 2;
                continue;
            }
            if (next != '{') {
                throw new SpfSyntaxException("\"" + printable(s) + "\": %" + printable(String.valueOf(next))
                        + " is not a macro; a % must be followed by {, %, _ or - (RFC 7208 7.1)");
            }
            int close = s.indexOf('}', i + 2);
            if (close < 0) {
                throw new SpfSyntaxException("\"" + printable(s) + "\": a macro %{ is not closed with }");
            }
            parts.add(macro(s, s.substring(i + 2, close), kind));
            i = close + 1;
        }
        if (literal.length() > 0) {
            parts.add(new Literal(literal.toString(), false));
        }
        return new MacroString(s, List.copyOf(parts));
    }

    private static Macro macro(String whole, String body, Kind kind) throws SpfSyntaxException {
        if (body.isEmpty()) {
            throw new SpfSyntaxException("\"" + printable(whole) + "\": %{} names no macro letter");
        }
        char letter = body.charAt(0);
        char lower = Character.toLowerCase(letter);
        if (LETTERS.indexOf(lower) < 0 || letter > 0x7f) {
            throw new SpfSyntaxException("\"" + printable(whole) + "\": %{" + printable(String.valueOf(letter))
                    + "} is not a macro (the letters are s, l, o, d, i, p, h, v, and c, r, t in explanations)");
        }
        if (EXP_ONLY.indexOf(lower) >= 0 && kind == Kind.DOMAIN_SPEC) {
            throw new SpfSyntaxException("\"" + printable(whole) + "\": the macro %{" + letter
                    + "} is allowed only in explanation text (RFC 7208 7.1)");
        }
        int j = 1;
        while (j < body.length() && Character.isDigit(body.charAt(j)) && body.charAt(j) < 0x80) {
            j++;
        }
        int digits = 0;
        if (j > 1) {
            String d = body.substring(1, j);
            digits = d.length() > 3 ? 999 : Integer.parseInt(d);
            if (digits == 0) {
                throw new SpfSyntaxException("\"" + printable(whole) + "\": the number of parts in a macro must not be 0 (RFC 7208 7.3)");
            }
        }
        boolean reverse = false;
        if (j < body.length() && (body.charAt(j) == 'r' || body.charAt(j) == 'R')) {
            reverse = true;
            j++;
        }
        String delimiters = body.substring(j);
        for (char c : delimiters.toCharArray()) {
            if (DELIMITERS.indexOf(c) < 0) {
                throw new SpfSyntaxException("\"" + printable(whole) + "\": '" + printable(String.valueOf(c))
                        + "' in %{" + printable(body) + "} is not a delimiter (they are . - + , / _ =)");
            }
        }
        return new Macro(lower, Character.isUpperCase(letter), digits, reverse, delimiters.isEmpty() ? "." : delimiters);
    }

    /** domain-end = ( "." toplabel [ "." ] ) / macro-expand (RFC 7208 7.1). */
    private void checkDomainEnd() throws SpfSyntaxException {
        Part last = parts.get(parts.size() - 1);
        if (last instanceof Macro || last instanceof Literal l && l.escape()) {
            return;
        }
        String t = ((Literal) last).text();
        if (t.endsWith(".")) {
            t = t.substring(0, t.length() - 1);
        }
        int dot = t.lastIndexOf('.');
        if (dot < 0 || !TOPLABEL.matcher(t.substring(dot + 1)).matches()) {
            throw new SpfSyntaxException("\"" + printable(source) + "\" is not a domain: it must end in a dot and a "
                    + "top-level label of letters, digits and inner hyphens, not all digits (RFC 7208 7.1)");
        }
    }

    /** The macro-string with every macro replaced (RFC 7208 7.3). */
    String expand(MacroValues values) {
        var sb = new StringBuilder();
        for (Part p : parts) {
            switch (p) {
                case Literal l -> sb.append(l.text());
                case Macro m -> {
                    String v = transform(values.value(m.letter()), m);
                    sb.append(m.upper() ? urlEscape(v) : v);
                }
            }
        }
        return sb.toString();
    }

    private static String transform(String value, Macro m) {
        var split = new ArrayList<>(Arrays.asList(value.split("[" + Pattern.quote(m.delimiters()) + "]", -1)));
        if (m.reverse()) {
            Collections.reverse(split);
        }
        if (m.digits() > 0 && m.digits() < split.size()) {
            split = new ArrayList<>(split.subList(split.size() - m.digits(), split.size()));
        }
        return String.join(".", split);
    }

    /** RFC 3986 escaping of everything but the unreserved characters (RFC 7208 7.3). */
    private static String urlEscape(String s) {
        var sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~".indexOf(c) >= 0) {
                sb.append((char) c);
            } else {
                sb.append('%').append(String.format(Locale.ROOT, "%02X", c));
            }
        }
        return sb.toString();
    }

    /** Whether any part is a macro: then the name is known only for a given sender. */
    boolean hasMacros() {
        return parts.stream().anyMatch(p -> p instanceof Macro);
    }

    /** The name of a macro-free domain-spec (%%, %_ and %- taken as what they stand for). */
    String literal() {
        if (hasMacros()) {
            throw new IllegalStateException("a macro-string has no literal value: " + source);
        }
        var sb = new StringBuilder();
        parts.forEach(p -> sb.append(((Literal) p).text()));
        return sb.toString();
    }

    boolean usesValidatedName() {
        return parts.stream().anyMatch(p -> p instanceof Macro m && m.letter() == 'p');
    }

    /** Record text for messages: control and non-ASCII characters shown as \\xNN. */
    static String printable(String s) {
        var sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c >= 0x20 && c < 0x7f) {
                sb.append(c);
            } else {
                sb.append(String.format(Locale.ROOT, c <= 0xff ? "\\x%02X" : "\\u%04X", (int) c));
            }
        }
        return sb.toString();
    }

    private static String describe(char c) {
        if (c == ' ') {
            return "a space";
        }
        if (c < 0x20 || c == 0x7f) {
            return "a control character (" + printable(String.valueOf(c)) + ")";
        }
        return "a non-ASCII character (" + printable(String.valueOf(c)) + ")";
    }

    @Override
    public String toString() {
        return source;
    }
}
