package dev.mailflow.server.protection;

import dev.mailflow.dns.DnsNames;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;

/**
 * One entry of a connector's {@code dnsbl} or {@code dnswl}: a DNS list zone (RFC 5782), the
 * answers that count, and for block lists the weight a listing adds to the client's score. The
 * syntax is Postfix's {@code postscreen_dnsbl_sites}:
 *
 * <pre>
 * zen.example.test                    any answer in 127.0.0.0/8 counts, weight 1
 * zen.example.test*3                  weight 3
 * zen.example.test=127.0.0.2          only this answer counts
 * zen.example.test=127.0.0.[2..11]*3  an octet as a range [a..b] or a set [a;b;c]
 * swl.example.test=127.0.[0..255].[1..3]*-2   (block lists) a negative weight lowers the score
 * </pre>
 *
 * <p>An answer in 127.255.255.0/24 is never a listing, whatever the filter: it is the list
 * telling us that it refuses our queries (Spamhaus: over the free quota, or asked through a
 * public resolver); so is any answer outside 127.0.0.0/8 (a resolver that rewrites NXDOMAIN).
 *
 * @param zone   the list's zone, normalized (lower case, no final dot)
 * @param filter the answers that count, or null for any answer in 127.0.0.0/8
 * @param weight what a listing adds to the score (never zero)
 * @param text   the entry as configured
 */
public record DnsList(String zone, AnswerFilter filter, int weight, String text) {

    public DnsList {
        Objects.requireNonNull(zone);
        Objects.requireNonNull(text);
        if (weight == 0) {
            throw new IllegalArgumentException("a weight of 0 means nothing");
        }
    }

    /**
     * Reads an entry in the syntax above.
     *
     * @param weighted whether a weight may be given (block lists) or not (allow lists)
     * @throws IllegalArgumentException with a message for the user
     */
    public static DnsList parse(String text, boolean weighted) {
        String s = text.strip();
        int weight = 1;
        int star = s.lastIndexOf('*');
        if (star >= 0) {
            if (!weighted) {
                throw new IllegalArgumentException("\"" + text + "\": an allow list has no weight (a listed client"
                        + " skips the block lists whatever its weight); write the zone, and =answers if needed");
            }
            String w = s.substring(star + 1).strip();
            try {
                weight = Integer.parseInt(w);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("\"" + text + "\": the weight after * must be a whole number"
                        + " such as 2 or -1, not \"" + w + "\"");
            }
            if (weight == 0) {
                throw new IllegalArgumentException("\"" + text + "\": a weight of 0 would make the list count"
                        + " for nothing; leave the list out instead");
            }
            s = s.substring(0, star).strip();
        }
        AnswerFilter filter = null;
        int eq = s.indexOf('=');
        if (eq >= 0) {
            filter = AnswerFilter.parse(s.substring(eq + 1).strip(), text);
            s = s.substring(0, eq).strip();
        }
        String zone = DnsNames.normalize(s).orElse(null);
        if (zone == null || !zone.contains(".") || !zone.chars().allMatch(c -> c >= 'a' && c <= 'z'
                || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.')) {
            throw new IllegalArgumentException("\"" + text + "\": \"" + s + "\" is not a DNS list zone such as"
                    + " zen.example.test (syntax: zone, zone=127.0.0.2, zone=127.0.0.[2..11]*3)");
        }
        return new DnsList(zone, filter, weight, text.strip());
    }

    /**
     * The name to ask for the client's A records under this list (RFC 5782 2.1 and 2.4): the
     * IPv4 octets reversed, or the 32 nibbles of an IPv6 address reversed, then the zone.
     */
    public String queryName(InetAddress client) {
        return queryName(client, zone);
    }

    static String queryName(InetAddress client, String zone) {
        return dev.mailflow.dns.DnsNames.reversedUnder(client, zone);
    }

    /** Whether one of these answers (listing codes, already checked to be in 127/8) counts for this entry. */
    boolean counts(List<InetAddress> codes) {
        for (var code : codes) {
            if (filter == null || filter.matches(code)) {
                return true;
            }
        }
        return false;
    }

    /** A list's answer that is the list's own error, never a listing: 127.255.255.0/24. */
    public static boolean isListError(InetAddress answer) {
        byte[] b = answer.getAddress();
        return b.length == 4 && (b[0] & 0xff) == 127 && (b[1] & 0xff) == 255 && (b[2] & 0xff) == 255;
    }

    /** An answer of the form RFC 5782 2.3 gives listings: an IPv4 address in 127.0.0.0/8. */
    public static boolean isListingCode(InetAddress answer) {
        byte[] b = answer.getAddress();
        return b.length == 4 && (b[0] & 0xff) == 127;
    }

    @Override
    public String toString() {
        return text;
    }

    /**
     * The answers an entry counts: four octet patterns, each a number, a range {@code [a..b]} or
     * a set {@code [a;b;c]} (the members of a set may be ranges too).
     */
    public record AnswerFilter(List<BitSet> octets, String text) {

        public AnswerFilter {
            octets = List.copyOf(octets);
        }

        static AnswerFilter parse(String pattern, String entry) {
            var parts = splitOctets(pattern);
            if (parts == null || parts.size() != 4) {
                throw new IllegalArgumentException("\"" + entry + "\": \"" + pattern + "\" is not an answer pattern"
                        + " such as 127.0.0.2, 127.0.0.[2..11] or 127.0.0.[2;4;10]");
            }
            var octets = new ArrayList<BitSet>();
            for (String p : parts) {
                octets.add(octet(p, pattern, entry));
            }
            return new AnswerFilter(octets, pattern);
        }

        /** Splits at the dots outside brackets; null when brackets do not pair. */
        private static List<String> splitOctets(String pattern) {
            var out = new ArrayList<String>();
            int depth = 0;
            int start = 0;
            for (int i = 0; i < pattern.length(); i++) {
                char c = pattern.charAt(i);
                if (c == '[') {
                    depth++;
                } else if (c == ']') {
                    depth--;
                } else if (c == '.' && depth == 0 && !(i + 1 < pattern.length() && pattern.charAt(i + 1) == '.')
                        && !(i > 0 && pattern.charAt(i - 1) == '.')) {
                    out.add(pattern.substring(start, i));
                    start = i + 1;
                }
                if (depth < 0 || depth > 1) {
                    return null;
                }
            }
            if (depth != 0) {
                return null;
            }
            out.add(pattern.substring(start));
            return out;
        }

        private static BitSet octet(String p, String pattern, String entry) {
            var bits = new BitSet(256);
            String body = p;
            if (p.startsWith("[") && p.endsWith("]")) {
                body = p.substring(1, p.length() - 1);
            } else if (p.contains("..") || p.contains(";")) {
                throw bad(pattern, entry, "a range or set goes in brackets: [2..11], [2;4]");
            }
            for (String member : body.split(";", -1)) {
                int dots = member.indexOf("..");
                int from;
                int to;
                if (dots >= 0) {
                    from = number(member.substring(0, dots), pattern, entry);
                    to = number(member.substring(dots + 2), pattern, entry);
                } else {
                    from = to = number(member, pattern, entry);
                }
                if (from > to) {
                    throw bad(pattern, entry, "the range [" + member + "] is empty");
                }
                bits.set(from, to + 1);
            }
            return bits;
        }

        private static int number(String s, String pattern, String entry) {
            String t = s.strip();
            if (t.isEmpty() || t.length() > 3 || !t.chars().allMatch(Character::isDigit)) {
                throw bad(pattern, entry, "\"" + s + "\" is not an octet (0-255)");
            }
            int n = Integer.parseInt(t);
            if (n > 255) {
                throw bad(pattern, entry, n + " is not an octet (0-255)");
            }
            return n;
        }

        private static IllegalArgumentException bad(String pattern, String entry, String why) {
            return new IllegalArgumentException("\"" + entry + "\": answer pattern \"" + pattern + "\": " + why);
        }

        boolean matches(InetAddress answer) {
            byte[] b = answer.getAddress();
            if (b.length != 4) {
                return false;
            }
            for (int i = 0; i < 4; i++) {
                if (!octets.get(i).get(b[i] & 0xff)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
