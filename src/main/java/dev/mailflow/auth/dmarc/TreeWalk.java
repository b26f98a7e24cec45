package dev.mailflow.auth.dmarc;

import dev.mailflow.dns.DnsAnswer;
import dev.mailflow.dns.DnsResolver;
import dev.mailflow.dns.TxtRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The DNS Tree Walk of RFC 9989 section 4.10, and the choice of the Organizational Domain
 * from what it found (4.10.2), for one message: each {@code _dmarc} name is asked once.
 *
 * <p>The walk asks the starting name, then drops labels from the left (a name of eight or
 * more labels is cut to seven at once, so that no walk takes more than {@link #MAX_QUERIES}
 * queries), down to the one-label name; it stops early at a record with psd=y or psd=n.
 * At each name, TXT records that do not start with v=DMARC1 are not DMARC records; when more
 * than one DMARC record remains, all are discarded (4.10 step 2).
 *
 * <p>Not thread-safe: one per evaluation.
 */
final class TreeWalk {

    static final int MAX_QUERIES = 8;

    /** What one {@code _dmarc.name} TXT query gave. */
    sealed interface Lookup permits Found, Absent, TempFail {
    }

    record Found(String domain, DmarcRecord record) implements Lookup {
    }

    record Absent() implements Lookup {
    }

    record TempFail(String reason) implements Lookup {
    }

    /**
     * A finished walk.
     *
     * @param start    the name it started at
     * @param found    the DMARC records found, longest name first
     * @param tempFail the reason when a query failed for now (the walk is then incomplete), or null
     */
    record Walk(String start, List<Found> found, String tempFail) {

        /** The Organizational Domain, 4.10.2 steps 1 to 3; the start when no record was found. */
        String organizationalDomain() {
            if (found.isEmpty()) {
                return start;
            }
            Found last = found.get(found.size() - 1);
            if (last.record().psd() == 'y' && !last.domain().equals(start)) {
                return lastLabels(start, labels(last.domain()) + 1);
            }
            return last.domain();
        }

        /** The record found at {@code domain}, or null. */
        DmarcRecord at(String domain) {
            for (Found f : found) {
                if (f.domain().equals(domain)) {
                    return f.record();
                }
            }
            return null;
        }

        /** The PSD's record: the last one found, when it says psd=y; else null. */
        Found publicSuffix() {
            if (found.isEmpty()) {
                return null;
            }
            Found last = found.get(found.size() - 1);
            return last.record().psd() == 'y' ? last : null;
        }
    }

    private final DnsResolver dns;
    private final List<String> trace;
    private final Map<String, Lookup> asked = new HashMap<>();

    TreeWalk(DnsResolver dns, List<String> trace) {
        this.dns = dns;
        this.trace = trace;
    }

    /** The walk from {@code start} (an A-label domain in lower case). */
    Walk walk(String start) {
        var found = new ArrayList<Found>();
        for (String name : names(start)) {
            Lookup l = lookup(name);
            if (l instanceof TempFail t) {
                return new Walk(start, found, t.reason());
            }
            if (l instanceof Found f) {
                found.add(f);
                if (f.record().psd() != 'u') {
                    break;
                }
            }
        }
        return new Walk(start, List.copyOf(found), null);
    }

    /** The names a walk from {@code start} asks about, in order (4.10 steps 1 to 7). */
    static List<String> names(String start) {
        var out = new ArrayList<String>();
        out.add(start);
        int x = labels(start);
        for (int n = Math.min(x - 1, MAX_QUERIES - 1); n >= 1; n--) {
            out.add(lastLabels(start, n));
        }
        return out;
    }

    Lookup lookup(String domain) {
        Lookup known = asked.get(domain);
        if (known != null) {
            return known;
        }
        String name = "_dmarc." + domain;
        Lookup l = switch (dns.txt(name)) {
            case DnsAnswer.TempFail<TxtRecord> t -> {
                trace.add(name + " TXT: no answer for now (" + t.reason() + ")");
                yield new TempFail(t.reason());
            }
            case DnsAnswer.NotFound<TxtRecord> n -> {
                trace.add(name + " TXT: " + (n.kind() == DnsAnswer.NotFound.Kind.NO_SUCH_NAME
                        ? "no such name" : "no TXT record"));
                yield new Absent();
            }
            case DnsAnswer.Found<TxtRecord> f -> fromRecords(name, domain, f.records());
        };
        asked.put(domain, l);
        return l;
    }

    private Lookup fromRecords(String name, String domain, List<TxtRecord> records) {
        var dmarc = new ArrayList<DmarcRecord>();
        for (TxtRecord r : records) {
            DmarcRecord.parseCached(r.text()).ifPresent(dmarc::add);
        }
        if (dmarc.isEmpty()) {
            trace.add(name + " TXT: " + records.size() + " record(s), none starting with v=DMARC1");
            return new Absent();
        }
        if (dmarc.size() > 1) {
            trace.add(name + " TXT: " + dmarc.size()
                    + " DMARC records; all are discarded, as if there were none (RFC 9989 4.10 step 2)");
            return new Absent();
        }
        DmarcRecord rec = dmarc.get(0);
        trace.add(name + " TXT: \"" + DmarcRecord.shorten(rec.text()) + "\"");
        for (String note : rec.notes()) {
            trace.add("  " + note);
        }
        return new Found(domain, rec);
    }

    static int labels(String domain) {
        int n = 1;
        for (int i = domain.indexOf('.'); i >= 0; i = domain.indexOf('.', i + 1)) {
            n++;
        }
        return n;
    }

    /** The domain made of the last {@code n} labels of {@code domain}. */
    static String lastLabels(String domain, int n) {
        int start = domain.length();
        for (int k = 0; k < n; k++) {
            start = domain.lastIndexOf('.', start - 1);
            if (start < 0) {
                return domain;
            }
        }
        return domain.substring(start + 1);
    }
}
