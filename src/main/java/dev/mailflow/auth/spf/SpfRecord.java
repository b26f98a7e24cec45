package dev.mailflow.auth.spf;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An SPF record, parsed whole before anything is evaluated, so that a syntax error anywhere
 * is a permerror (RFC 7208 4.6): the version (4.5), directives with their qualifiers (4.6.1,
 * 4.6.2, 5), and the modifiers redirect= and exp= (6.1, 6.2) at most once each; unknown
 * modifiers are checked and ignored (6). Terms are separated by one or more spaces only.
 */
record SpfRecord(String text, List<Directive> directives, MacroString redirect, MacroString exp) {

    /** A directive and the term it was written as (for explanations). */
    record Directive(Qualifier qualifier, Mechanism mechanism, String term) {
    }

    private static final String VERSION = "v=spf1";
    private static final Pattern MODIFIER = Pattern.compile("([A-Za-z][A-Za-z0-9._-]*)=(.*)", Pattern.DOTALL);
    /** Optional ip4-cidr-length then optional ip6-cidr-length, at the end of a term. */
    private static final Pattern DUAL_CIDR = Pattern.compile("(?:/([0-9]+))?(?://([0-9]+))?");
    private static final Pattern DOMAIN_AND_CIDR = Pattern.compile("(.*?)((?:/[0-9]+)?(?://[0-9]+)?)", Pattern.DOTALL);

    /**
     * Whether a TXT record's text is an SPF version 1 record at all (4.5): "v=spf1" in any
     * ASCII case, alone or followed by a space.
     */
    static boolean isSpf1(String text) {
        if (text.length() < VERSION.length() || (text.length() > VERSION.length() && text.charAt(VERSION.length()) != ' ')) {
            return false;
        }
        for (int i = 0; i < VERSION.length(); i++) {
            char c = text.charAt(i);
            char want = VERSION.charAt(i);
            // ASCII letters only: c | 0x20 is 'v' for 'V' and 'v' alone (no Unicode case folding).
            if ((Character.isLetter(want) ? (char) (c | 0x20) : c) != want) {
                return false;
            }
        }
        return true;
    }

    /** Records parsed before, by text: every message from a domain brings the same record. */
    private static final int CACHED_RECORDS = 1024;
    private static final java.util.Map<String, SpfRecord> PARSED = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * {@link #parse}, with the records that parsed kept (immutable, so shared); a record with
     * a syntax error is parsed again each time. The cache is emptied when full, which keeps it
     * bounded whatever texts DNS sends.
     */
    static SpfRecord parseCached(String text) throws SpfSyntaxException {
        SpfRecord record = PARSED.get(text);
        if (record == null) {
            record = parse(text);
            if (PARSED.size() >= CACHED_RECORDS) {
                PARSED.clear();
            }
            PARSED.put(text, record);
        }
        return record;
    }

    /**
     * @throws SpfSyntaxException naming the bad term, with its position in the record (the
     *                            tester shows where the mistake is)
     */
    static SpfRecord parse(String text) throws SpfSyntaxException {
        if (!isSpf1(text)) {
            throw new SpfSyntaxException("the record does not start with v=spf1", 1);
        }
        var terms = new Terms();
        String[] words = text.split(" ");
        int offset = words[0].length() + 1; // of the word after "v=spf1 ", from 0
        for (int i = 1; i < words.length; offset += words[i].length() + 1, i++) {
            if (words[i].isEmpty()) {
                continue; // 1*SP between terms
            }
            try {
                terms.add(words[i]);
            } catch (SpfSyntaxException e) {
                throw new SpfSyntaxException(e.getMessage(), offset + 1);
            }
        }
        return new SpfRecord(text, List.copyOf(terms.directives), terms.redirect, terms.exp);
    }

    /** The terms read so far. */
    private static final class Terms {
        final List<Directive> directives = new ArrayList<>();
        MacroString redirect;
        MacroString exp;

        void add(String term) throws SpfSyntaxException {
            Matcher m = MODIFIER.matcher(term);
            if (!m.matches()) {
                directives.add(directive(term));
                return;
            }
            String name = m.group(1).toLowerCase(Locale.ROOT);
            String value = m.group(2);
            switch (name) {
                case "redirect" -> {
                    if (redirect != null) {
                        throw new SpfSyntaxException("redirect= appears twice (RFC 7208 6)");
                    }
                    redirect = domainSpec(value, term);
                }
                case "exp" -> {
                    if (exp != null) {
                        throw new SpfSyntaxException("exp= appears twice (RFC 7208 6)");
                    }
                    exp = domainSpec(value, term);
                }
                default -> {
                    try {
                        MacroString.unknownModifier(value);
                    } catch (SpfSyntaxException e) {
                        throw new SpfSyntaxException("in " + MacroString.printable(term) + ": " + e.getMessage());
                    }
                }
            }
        }
    }

    private static Directive directive(String term) throws SpfSyntaxException {
        Qualifier q = Qualifier.of(term.charAt(0));
        String rest = q == null ? term : term.substring(1);
        if (q == null) {
            q = Qualifier.PASS;
        }
        int end = 0;
        while (end < rest.length() && rest.charAt(end) != ':' && rest.charAt(end) != '/') {
            end++;
        }
        String name = rest.substring(0, end).toLowerCase(Locale.ROOT);
        String args = rest.substring(end);
        Mechanism mech = switch (name) {
            case "all" -> {
                if (!args.isEmpty()) {
                    throw bad(term, "all takes no argument");
                }
                yield new Mechanism.All();
            }
            case "include" -> new Mechanism.Include(requiredDomain(args, term));
            case "exists" -> new Mechanism.Exists(requiredDomain(args, term));
            case "ptr" -> {
                if (args.startsWith("/")) {
                    throw bad(term, "ptr takes no prefix length");
                }
                yield new Mechanism.Ptr(args.isEmpty() ? null : requiredDomain(args, term));
            }
            case "a", "mx" -> {
                MacroString domain = null;
                String cidr = args;
                if (args.startsWith(":")) {
                    Matcher dm = DOMAIN_AND_CIDR.matcher(args.substring(1));
                    dm.matches();
                    domain = domainSpec(dm.group(1), term);
                    cidr = dm.group(2);
                }
                Matcher cm = DUAL_CIDR.matcher(cidr);
                if (!cm.matches()) {
                    throw bad(term, "expected " + name + "[:domain][/ip4-prefix][//ip6-prefix]");
                }
                int p4 = cm.group(1) == null ? 32 : prefix(cm.group(1), 32, term);
                int p6 = cm.group(2) == null ? 128 : prefix(cm.group(2), 128, term);
                yield name.equals("a") ? new Mechanism.A(domain, p4, p6) : new Mechanism.Mx(domain, p4, p6);
            }
            case "ip4", "ip6" -> {
                if (!args.startsWith(":") || args.length() == 1) {
                    throw bad(term, name + " needs a network: " + name + ":address[/prefix]");
                }
                String net = args.substring(1);
                String len = null;
                int slash = net.indexOf('/');
                if (slash >= 0) {
                    len = net.substring(slash + 1);
                    net = net.substring(0, slash);
                }
                boolean v4 = name.equals("ip4");
                var bytes = v4 ? Addresses.parseIp4(net) : Addresses.parseIp6(net);
                if (bytes.isEmpty()) {
                    throw bad(term, MacroString.printable(net) + " is not an " + (v4 ? "IPv4" : "IPv6") + " address");
                }
                int max = v4 ? 32 : 128;
                int prefix = len == null ? max : prefix(len, max, term);
                yield v4 ? new Mechanism.Ip4(bytes.get(), prefix) : new Mechanism.Ip6(bytes.get(), prefix);
            }
            default -> throw new SpfSyntaxException("\"" + MacroString.printable(term)
                    + "\" is not a mechanism or modifier (RFC 7208 5 and 6)");
        };
        return new Directive(q, mech, term);
    }

    private static MacroString requiredDomain(String args, String term) throws SpfSyntaxException {
        if (!args.startsWith(":")) {
            throw bad(term, "a domain is needed after a colon");
        }
        return domainSpec(args.substring(1), term);
    }

    private static MacroString domainSpec(String spec, String term) throws SpfSyntaxException {
        try {
            return MacroString.domainSpec(spec);
        } catch (SpfSyntaxException e) {
            throw new SpfSyntaxException("in " + MacroString.printable(term) + ": " + e.getMessage());
        }
    }

    /** A prefix length: digits without a leading zero, at most {@code max} (RFC 7208 5.6). */
    private static int prefix(String digits, int max, String term) throws SpfSyntaxException {
        boolean ok = !digits.isEmpty() && digits.length() <= 3 && digits.chars().allMatch(c -> c >= '0' && c <= '9')
                && (digits.equals("0") || digits.charAt(0) != '0');
        if (ok && Integer.parseInt(digits) <= max) {
            return Integer.parseInt(digits);
        }
        throw bad(term, "/" + MacroString.printable(digits) + " is not a prefix length from 0 to " + max);
    }

    private static SpfSyntaxException bad(String term, String why) {
        return new SpfSyntaxException("\"" + MacroString.printable(term) + "\": " + why);
    }
}
