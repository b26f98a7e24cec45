package dev.mailflow.tlspolicy.mtasts;

import dev.mailflow.tlspolicy.HostPatterns;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An MTA-STS policy (RFC 8461 3.2), the body of {@code /.well-known/mta-sts.txt}:
 *
 * <pre>
 * version: STSv1
 * mode: enforce
 * mx: mail.example.com
 * mx: *.example.net
 * max_age: 604800
 * </pre>
 *
 * Lines end with LF or CRLF; {@code version}, {@code mode} and {@code max_age} appear once each,
 * {@code mx} once or more (it may be left out under {@code mode: none}); field names and values
 * are case-sensitive; unknown fields are ignored (3.2). A {@code max_age} above the RFC's
 * maximum of 31557600 seconds (a year) is taken as that maximum, with a warning. Blank lines are
 * tolerated. The text is kept as received: TLS-RPT reports it (RFC 8460 4.4, {@code policy-string}).
 *
 * @param mode     what a sender does when an MX fails the policy
 * @param mx       the MX patterns, as written ({@code mail.example.com}, {@code *.example.net})
 * @param maxAge   how long the policy may be cached after a fetch
 * @param text     the policy body as fetched (or as we publish it)
 * @param warnings what a checker should tell the publisher, empty when nothing
 */
public record MtaStsPolicy(Mode mode, List<String> mx, Duration maxAge, String text, List<String> warnings) {

    /** RFC 8461 3.2: the largest max_age, 31557600 seconds. */
    public static final Duration MAX_AGE_LIMIT = Duration.ofSeconds(31_557_600);

    private static final Pattern FIELD_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,31}");
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,10}");

    /** RFC 8461 5: what a sender does with an MX that fails the policy. */
    public enum Mode {
        /** Deliver only to MX hosts that match and present a valid certificate. */
        ENFORCE,
        /** Deliver as usual, and report the failure (TLS-RPT). */
        TESTING,
        /** The domain has withdrawn its policy (RFC 8461 8.3). */
        NONE;

        /** The word in the policy: enforce, testing, none. */
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public MtaStsPolicy {
        mx = List.copyOf(mx);
        warnings = List.copyOf(warnings);
    }

    /** What parsing a policy body gave. */
    public sealed interface Parsed permits Valid, Invalid {
    }

    public record Valid(MtaStsPolicy policy) implements Parsed {
    }

    /** Not a usable policy; {@code reason} names the line and what is wrong. */
    public record Invalid(String reason) implements Parsed {
    }

    /** Parses a policy body. */
    public static Parsed parse(String text) {
        if (text == null || text.isBlank()) {
            return new Invalid("the policy is empty");
        }
        String version = null;
        Mode mode = null;
        Duration maxAge = null;
        var mx = new ArrayList<String>();
        var warnings = new ArrayList<String>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            int n = i + 1;
            if (line.isBlank()) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                return new Invalid("line " + n + " is not \"name: value\": " + shown(line));
            }
            String name = line.substring(0, colon);
            String value = line.substring(colon + 1).strip();
            if (!FIELD_NAME.matcher(name).matches()) {
                return new Invalid("line " + n + ": \"" + shown(name) + "\" is not a field name");
            }
            switch (name) {
                case "version" -> {
                    if (version != null) {
                        return new Invalid("line " + n + ": a second version field");
                    }
                    if (!value.equals("STSv1")) {
                        return new Invalid("line " + n + ": version \"" + shown(value) + "\" is not STSv1");
                    }
                    version = value;
                }
                case "mode" -> {
                    if (mode != null) {
                        return new Invalid("line " + n + ": a second mode field");
                    }
                    mode = switch (value) {
                        case "enforce" -> Mode.ENFORCE;
                        case "testing" -> Mode.TESTING;
                        case "none" -> Mode.NONE;
                        default -> null;
                    };
                    if (mode == null) {
                        return new Invalid("line " + n + ": mode \"" + shown(value)
                                + "\" is not enforce, testing or none");
                    }
                }
                case "max_age" -> {
                    if (maxAge != null) {
                        return new Invalid("line " + n + ": a second max_age field");
                    }
                    if (!DIGITS.matcher(value).matches()) {
                        return new Invalid("line " + n + ": max_age \"" + shown(value)
                                + "\" is not a number of seconds (at most 10 digits)");
                    }
                    long seconds = Long.parseLong(value);
                    if (seconds > MAX_AGE_LIMIT.toSeconds()) {
                        warnings.add("max_age " + seconds + " is above the RFC 8461 maximum of "
                                + MAX_AGE_LIMIT.toSeconds() + " seconds; taken as that maximum");
                        seconds = MAX_AGE_LIMIT.toSeconds();
                    }
                    maxAge = Duration.ofSeconds(seconds);
                }
                case "mx" -> {
                    if (!HostPatterns.isValidPattern(value)) {
                        return new Invalid("line " + n + ": mx \"" + shown(value)
                                + "\" is not a host name or *.domain pattern");
                    }
                    mx.add(value);
                }
                default -> {
                    // extension fields are ignored (RFC 8461 3.2)
                }
            }
        }
        if (version == null) {
            return new Invalid("the policy has no version field (version: STSv1)");
        }
        if (mode == null) {
            return new Invalid("the policy has no mode field");
        }
        if (maxAge == null) {
            return new Invalid("the policy has no max_age field");
        }
        if (mx.isEmpty() && mode != Mode.NONE) {
            return new Invalid("the policy has no mx field (needed unless mode is none)");
        }
        if (maxAge.isZero() && mode != Mode.NONE) {
            warnings.add("max_age 0 means the policy expires at once: senders will hardly ever apply it");
        }
        return new Valid(new MtaStsPolicy(mode, mx, maxAge, text, warnings));
    }

    /**
     * Whether the MX host is one the policy allows (RFC 8461 4.1): equal to a pattern, or one
     * label more than a {@code *.} pattern's domain.
     */
    public boolean matches(String mxHost) {
        return mx.stream().anyMatch(p -> HostPatterns.matches(p, mxHost));
    }

    /** The body's lines without their line ends: TLS-RPT's {@code policy-string} (RFC 8460 4.4). */
    public List<String> lines() {
        return text.lines().filter(l -> !l.isBlank()).toList();
    }

    /** The policy written as a publisher writes it (CRLF line ends, RFC 8461 3.2). */
    public static String format(Mode mode, List<String> mx, Duration maxAge) {
        var sb = new StringBuilder("version: STSv1\r\nmode: ").append(mode.word()).append("\r\n");
        for (String m : mx) {
            sb.append("mx: ").append(m).append("\r\n");
        }
        return sb.append("max_age: ").append(maxAge.toSeconds()).append("\r\n").toString();
    }

    private static String shown(String s) {
        String t = s.length() > 60 ? s.substring(0, 60) + "..." : s;
        var sb = new StringBuilder();
        t.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02x", c));
            } else {
                sb.append(Character.toChars(c));
            }
        });
        return sb.toString();
    }
}
