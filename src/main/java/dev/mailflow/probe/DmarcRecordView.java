package dev.mailflow.probe;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A DMARC policy record read for explanation (RFC 9989 section 4.7, the tags; 4.8, the record
 * format): the tester shows what each tag asks receivers to do and what is wrong with the
 * record. The receiving side's evaluation has its own reading in {@code auth.dmarc}; this one
 * only explains, and never decides a message's fate.
 *
 * @param tags     every tag as written (names lower case), in order
 * @param problems what makes the record unusable or a tag ignored, in words
 */
record DmarcRecordView(Map<String, String> tags, List<String> problems) {

    private static final List<String> KNOWN = List.of("v", "p", "sp", "np", "adkim", "aspf", "t", "psd", "rua", "ruf",
            "fo", "rf", "ri", "pct");

    /** Whether a TXT record is a DMARC record at all (it starts with v=DMARC1, 4.8). */
    static boolean isDmarc(String text) {
        return text.strip().matches("(?i)v\\s*=\\s*DMARC1\\s*(;.*)?");
    }

    static DmarcRecordView parse(String text) {
        var tags = new LinkedHashMap<String, String>();
        var problems = new ArrayList<String>();
        for (String part : text.split(";")) {
            String p = part.strip();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            if (eq <= 0) {
                problems.add("\"" + AuthTextReport.printable(p) + "\" is not a tag=value pair");
                continue;
            }
            String name = p.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            String value = p.substring(eq + 1).strip();
            if (tags.containsKey(name)) {
                problems.add(name + "= appears twice; the first is used");
                continue;
            }
            tags.put(name, value);
        }
        check(tags, problems);
        return new DmarcRecordView(Map.copyOf(tags), List.copyOf(problems));
    }

    private static void check(Map<String, String> tags, List<String> problems) {
        for (String policy : List.of("p", "sp", "np")) {
            String v = tags.get(policy);
            if (v != null && !List.of("none", "quarantine", "reject").contains(v.toLowerCase(Locale.ROOT))) {
                problems.add(policy + "=" + AuthTextReport.printable(v) + " is not none, quarantine or reject");
            }
        }
        for (String align : List.of("adkim", "aspf")) {
            String v = tags.get(align);
            if (v != null && !List.of("r", "s").contains(v.toLowerCase(Locale.ROOT))) {
                problems.add(align + "=" + AuthTextReport.printable(v) + " is not r (relaxed) or s (strict)");
            }
        }
        String t = tags.get("t");
        if (t != null && !List.of("y", "n").contains(t.toLowerCase(Locale.ROOT))) {
            problems.add("t=" + AuthTextReport.printable(t) + " is not y or n");
        }
        String psd = tags.get("psd");
        if (psd != null && !List.of("y", "n", "u").contains(psd.toLowerCase(Locale.ROOT))) {
            problems.add("psd=" + AuthTextReport.printable(psd) + " is not y, n or u");
        }
        for (String uri : List.of("rua", "ruf")) {
            String v = tags.get(uri);
            if (v != null) {
                for (String u : v.split(",")) {
                    if (!u.strip().toLowerCase(Locale.ROOT).startsWith("mailto:")) {
                        problems.add(uri + "=" + AuthTextReport.printable(u.strip()) + " is not a mailto: address "
                                + "(receivers send reports only to mailto: URIs)");
                    }
                }
            }
        }
        if (!tags.containsKey("p")) {
            problems.add("there is no p= tag: receivers apply p=none when rua= is valid, and otherwise ignore the record");
        }
    }

    /** The policy for the domain itself, lower case; "none" when p= is absent or unusable. */
    String policy() {
        String p = tags.getOrDefault("p", "none").toLowerCase(Locale.ROOT);
        return List.of("none", "quarantine", "reject").contains(p) ? p : "none";
    }

    /** Each tag in words, in a stable order: what it asks receivers to do. */
    List<String> explained() {
        var out = new ArrayList<String>();
        String p = policy();
        out.add("p=" + p + ": mail from this domain that fails DMARC " + switch (p) {
            case "reject" -> "is to be refused at SMTP time";
            case "quarantine" -> "is to be treated as suspicious (the spam folder, or held)";
            default -> "is delivered as usual: the owner only collects reports (monitoring)";
        });
        String sp = tags.get("sp");
        out.add(sp != null ? "sp=" + sp.toLowerCase(Locale.ROOT) + ": the policy for subdomains"
                : "sp= absent: subdomains get the p= policy");
        String np = tags.get("np");
        out.add(np != null ? "np=" + np.toLowerCase(Locale.ROOT) + ": the policy for subdomains that do not exist "
                + "(forged names under the domain)" : "np= absent: subdomains that do not exist get the sp= policy");
        out.add(alignment("adkim", "DKIM d="));
        out.add(alignment("aspf", "SPF's MAIL FROM domain"));
        if ("y".equalsIgnoreCase(tags.get("t"))) {
            out.add("t=y: the owner is testing: receivers should apply one level less (reject as quarantine, "
                    + "quarantine as none)");
        }
        if (tags.containsKey("rua")) {
            out.add("rua=" + tags.get("rua") + ": where receivers send daily aggregate reports");
        } else {
            out.add("rua= absent: nobody receives aggregate reports, so failures go unseen");
        }
        if (tags.containsKey("ruf")) {
            out.add("ruf=" + tags.get("ruf") + ": where receivers send failure reports (few do)");
        }
        if (tags.containsKey("pct")) {
            out.add("pct=" + tags.get("pct") + ": RFC 9989 removed pct; receivers ignore it (use t=y to test)");
        }
        for (String name : tags.keySet()) {
            if (!KNOWN.contains(name)) {
                out.add(name + "=: not a DMARC tag; receivers ignore it");
            }
        }
        return out;
    }

    private String alignment(String tag, String what) {
        boolean strict = "s".equalsIgnoreCase(tags.get(tag));
        return tag + "=" + (strict ? "s" : "r") + (tags.containsKey(tag) ? "" : " (the default)") + ": " + what
                + (strict ? " must be exactly the From domain (strict alignment)"
                        : " may be the From domain or share its organizational domain (relaxed alignment)");
    }
}
