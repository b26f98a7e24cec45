package dev.mailflow.auth.dmarc;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A DMARC Policy Record, RFC 9989 sections 4.7 and 4.8: a DKIM-style tag list whose first tag
 * is {@code v=DMARC1}.
 *
 * <ul>
 * <li>v= must come first, with the value DMARC1 exactly (case-sensitive); otherwise the text is
 *     not a DMARC record at all ({@link #parse} gives empty), 4.7.</li>
 * <li>p=, sp=, np= are none, quarantine or reject (case-insensitive, as ABNF strings are). An
 *     absent p= means p=none (4.7, "p"). An invalid p=, sp= or np= makes the record unusable
 *     unless rua= holds a valid URI, in which case the record counts as p=none (4.10.1):
 *     {@link #problems()} says which, {@link #usable()} and {@link #effective()} apply it.</li>
 * <li>adkim=, aspf= (r or s, default r), t= (y or n, default n), psd= (y, n or u, default u),
 *     fo=: an invalid value falls back to the default ("syntax errors in the remainder of the
 *     record MUST be discarded in favor of default values", 4.8), noted in {@link #notes()}.</li>
 * <li>rua=, ruf=: comma-separated URIs; the obsolete {@code !size} suffix is dropped, invalid
 *     URIs are left out and noted. Kept for reports; Mailflow sends none.</li>
 * <li>Unknown tags are ignored (4.7); pct=, rf=, ri= of RFC 7489 are ignored with a note.
 *     A tag given twice keeps its first value, with a note.</li>
 * </ul>
 *
 * <p>SECURITY: the text comes from DNS; parsing never throws, notes quote it shortened.
 *
 * @param text              the record as published (its strings joined, 4.5)
 * @param policy            p=; NONE when absent or invalid
 * @param subdomainPolicy   sp=, or null when absent or invalid
 * @param nonExistentPolicy np=, or null when absent or invalid
 * @param strictDkim        adkim=s
 * @param strictSpf         aspf=s
 * @param testing           t=y
 * @param psd               'y', 'n' or 'u'
 * @param rua               the valid aggregate report URIs
 * @param ruf               the valid failure report URIs
 * @param failureOptions    fo= as given, "0" by default
 * @param problems          invalid p=, sp=, np= (what makes the record unusable without rua=)
 * @param notes             everything else that was ignored or replaced by its default
 */
public record DmarcRecord(String text, DmarcPolicy policy, DmarcPolicy subdomainPolicy, DmarcPolicy nonExistentPolicy,
        boolean strictDkim, boolean strictSpf, boolean testing, char psd, List<URI> rua, List<URI> ruf,
        String failureOptions, List<String> problems, List<String> notes) {

    private static final Pattern VERSION = Pattern.compile("[ \t]*v[ \t]*=[ \t]*DMARC1[ \t]*");
    private static final Pattern TAG_NAME = Pattern.compile("[A-Za-z]+");
    private static final Pattern FO = Pattern.compile("[01ds](:[01ds])*");
    private static final Pattern OBSOLETE_SIZE = Pattern.compile("![0-9]+[kmgtKMGT]?$");

    public DmarcRecord {
        rua = List.copyOf(rua);
        ruf = List.copyOf(ruf);
        problems = List.copyOf(problems);
        notes = List.copyOf(notes);
    }

    /** Texts parsed before: every message from a domain brings the same record. */
    private static final int CACHED_RECORDS = 1024;
    private static final Map<String, Optional<DmarcRecord>> PARSED = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * {@link #parse}, with the outcome kept by text (a record is immutable, so it is shared);
     * the cache is emptied when full, which keeps it bounded whatever texts DNS sends.
     */
    static Optional<DmarcRecord> parseCached(String text) {
        Optional<DmarcRecord> record = PARSED.get(text);
        if (record == null) {
            record = parse(text);
            if (PARSED.size() >= CACHED_RECORDS) {
                PARSED.clear();
            }
            PARSED.put(text, record);
        }
        return record;
    }

    /** The record, or empty when the text is not a DMARC record (v=DMARC1 not the first tag). */
    public static Optional<DmarcRecord> parse(String text) {
        String[] parts = text.split(";", -1);
        if (!VERSION.matcher(parts[0]).matches()) {
            return Optional.empty();
        }
        var notes = new ArrayList<String>();
        Map<String, String> tags = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i].strip();
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String name = eq < 0 ? part : part.substring(0, eq).strip();
            if (eq < 0 || !TAG_NAME.matcher(name).matches()) {
                notes.add("ignored \"" + shorten(part) + "\": not of the form tag=value");
                continue;
            }
            name = name.toLowerCase(Locale.ROOT);
            if (tags.putIfAbsent(name, part.substring(eq + 1).strip()) != null) {
                notes.add("ignored the second " + name + "= (the first one counts)");
            }
        }
        var problems = new ArrayList<String>();
        DmarcPolicy p = DmarcPolicy.NONE;
        if (tags.containsKey("p")) {
            p = policy(tags.get("p"));
            if (p == null) {
                problems.add("p=" + shorten(tags.get("p")) + " is not none, quarantine or reject");
                p = DmarcPolicy.NONE;
            }
        } else {
            notes.add("no p= tag: treated as p=none (RFC 9989 4.7)");
        }
        DmarcPolicy sp = subPolicy(tags, "sp", problems);
        DmarcPolicy np = subPolicy(tags, "np", problems);
        boolean adkim = flag(tags, "adkim", "r", "s", notes);
        boolean aspf = flag(tags, "aspf", "r", "s", notes);
        boolean t = flag(tags, "t", "n", "y", notes);
        char psd = 'u';
        if (tags.containsKey("psd")) {
            String v = tags.get("psd").toLowerCase(Locale.ROOT);
            if (v.equals("y") || v.equals("n") || v.equals("u")) {
                psd = v.charAt(0);
            } else {
                notes.add("psd=" + shorten(tags.get("psd")) + " is not y, n or u: psd=u used");
            }
        }
        String fo = tags.getOrDefault("fo", "0");
        if (!FO.matcher(fo).matches()) {
            notes.add("fo=" + shorten(fo) + " is not valid: fo=0 used");
            fo = "0";
        }
        for (String removed : List.of("pct", "rf", "ri")) {
            if (tags.containsKey(removed)) {
                notes.add(removed + "= is not part of DMARC since RFC 9989 and is ignored");
            }
        }
        for (String name : tags.keySet()) {
            if (!List.of("p", "sp", "np", "adkim", "aspf", "t", "psd", "fo", "rua", "ruf", "pct", "rf", "ri")
                    .contains(name)) {
                notes.add("unknown tag " + shorten(name) + "= ignored (RFC 9989 4.7)");
            }
        }
        List<URI> rua = uris(tags, "rua", notes);
        List<URI> ruf = uris(tags, "ruf", notes);
        return Optional.of(new DmarcRecord(text, p, sp, np, adkim, aspf, t, psd, rua, ruf, fo, problems, notes));
    }

    /**
     * Whether DMARC can use the record: no invalid p=, sp=, np=, or else a valid rua= (then it
     * counts as p=none, RFC 9989 4.10.1).
     */
    public boolean usable() {
        return problems.isEmpty() || !rua.isEmpty();
    }

    /** The record as DMARC applies it: with problems and a valid rua=, every policy none. */
    public DmarcRecord effective() {
        if (problems.isEmpty()) {
            return this;
        }
        return new DmarcRecord(text, DmarcPolicy.NONE, DmarcPolicy.NONE, DmarcPolicy.NONE, strictDkim, strictSpf,
                testing, psd, rua, ruf, failureOptions, problems, notes);
    }

    /** The policy for the Author Domain itself (p=), an existing subdomain (sp=) or a non-existent one (np=). */
    public DmarcPolicy policyFor(boolean authorIsPolicyDomain, boolean authorExists) {
        if (authorIsPolicyDomain) {
            return policy;
        }
        if (!authorExists && nonExistentPolicy != null) {
            return nonExistentPolicy;
        }
        return subdomainPolicy != null ? subdomainPolicy : policy;
    }

    private static DmarcPolicy policy(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "none" -> DmarcPolicy.NONE;
            case "quarantine" -> DmarcPolicy.QUARANTINE;
            case "reject" -> DmarcPolicy.REJECT;
            default -> null;
        };
    }

    private static DmarcPolicy subPolicy(Map<String, String> tags, String name, List<String> problems) {
        if (!tags.containsKey(name)) {
            return null;
        }
        DmarcPolicy p = policy(tags.get(name));
        if (p == null) {
            problems.add(name + "=" + shorten(tags.get(name)) + " is not none, quarantine or reject");
        }
        return p;
    }

    /** A two-valued tag: true for {@code yes}, false for {@code no} or the default. */
    private static boolean flag(Map<String, String> tags, String name, String no, String yes, List<String> notes) {
        String v = tags.get(name);
        if (v == null || v.equalsIgnoreCase(no)) {
            return false;
        }
        if (v.equalsIgnoreCase(yes)) {
            return true;
        }
        notes.add(name + "=" + shorten(v) + " is not " + no + " or " + yes + ": " + name + "=" + no + " used");
        return false;
    }

    private static List<URI> uris(Map<String, String> tags, String name, List<String> notes) {
        String v = tags.get(name);
        if (v == null) {
            return List.of();
        }
        var out = new ArrayList<URI>();
        for (String piece : v.split(",")) {
            String u = OBSOLETE_SIZE.matcher(piece.strip()).replaceFirst("");
            try {
                URI uri = new URI(u);
                if (uri.getScheme() == null || uri.getSchemeSpecificPart().isEmpty()) {
                    throw new URISyntaxException(u, "no scheme");
                }
                out.add(uri);
            } catch (URISyntaxException e) {
                notes.add(name + "= entry \"" + shorten(u) + "\" is not a URI and is ignored");
            }
        }
        return out;
    }

    static String shorten(String s) {
        var sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < 60; i++) {
            char c = s.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return s.length() > 60 ? sb + "..." : sb.toString();
    }
}
