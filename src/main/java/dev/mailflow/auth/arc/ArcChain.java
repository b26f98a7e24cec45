package dev.mailflow.auth.arc;

import dev.mailflow.auth.dkim.ArcSignatures;
import dev.mailflow.auth.dkim.ArcSignatures.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ARC sets of a message, grouped by instance (RFC 8617 4.1, 4.2.1): each set is one
 * ARC-Authentication-Results, one ARC-Message-Signature and one ARC-Seal with the same i=.
 * Collecting checks the structure of 5.2 steps 1 and 3 (complete sets, no repeated field,
 * instances 1..N with no gap, at most {@link #MAX_SETS}); {@link #problem()} says what is
 * wrong, in words.
 *
 * <p>SECURITY: the fields are untrusted; nothing here throws on them.
 */
final class ArcChain {

    static final int MAX_SETS = 50;

    private static final Pattern AAR_INSTANCE = Pattern.compile("[ \t\r\n]*i[ \t\r\n]*=[ \t\r\n]*([0-9]{1,3})[ \t\r\n]*;.*",
            Pattern.DOTALL);

    /** One instance's three fields; a field is null when the message lacks it. */
    static final class ArcSet {
        final int instance;
        Field results;
        Field signature;
        Field seal;
        String cv = "";
        String sealDomain = "";

        ArcSet(int instance) {
            this.instance = instance;
        }

        /** The fields as the seals sign them: AAR, AMS, AS (RFC 8617 5.1.1). */
        List<Field> fields() {
            return List.of(results, signature, seal);
        }
    }

    private final Map<Integer, ArcSet> sets = new TreeMap<>();
    private String problem;
    private int fieldCount;

    private ArcChain() {
    }

    static ArcChain of(List<Field> headers) {
        var chain = new ArcChain();
        for (Field f : headers) {
            if (f.is(ArcSignatures.AAR)) {
                chain.add(f, aarInstance(f), "ARC-Authentication-Results");
            } else if (f.is(ArcSignatures.AMS)) {
                chain.add(f, tagInstance(f), "ARC-Message-Signature");
            } else if (f.is(ArcSignatures.AS)) {
                chain.add(f, tagInstance(f), "ARC-Seal");
            }
        }
        chain.checkStructure();
        return chain;
    }

    boolean empty() {
        return fieldCount == 0;
    }

    /** What is wrong with the chain's structure, or null when nothing is. */
    String problem() {
        return problem;
    }

    /** The highest instance, N. */
    int instances() {
        return sets.isEmpty() ? 0 : ((TreeMap<Integer, ArcSet>) sets).lastKey();
    }

    ArcSet set(int instance) {
        return sets.get(instance);
    }

    /** The fields of sets 1..{@code upTo}, oldest first: what the seal of {@code upTo} covers, with it. */
    List<Field> fieldsUpTo(int upTo) {
        var out = new ArrayList<Field>();
        for (int i = 1; i <= upTo; i++) {
            out.addAll(sets.get(i).fields());
        }
        return out;
    }

    private void add(Field f, int instance, String what) {
        fieldCount++;
        if (instance < 1) {
            fail("an " + what + " field has no valid i= instance");
            return;
        }
        if (instance > MAX_SETS) {
            fail("an " + what + " field has i=" + instance + "; ARC allows at most " + MAX_SETS + " sets (RFC 8617 4.2.1)");
            return;
        }
        ArcSet set = sets.computeIfAbsent(instance, ArcSet::new);
        switch (what) {
            case "ARC-Authentication-Results" -> {
                if (set.results != null) {
                    fail("two ARC-Authentication-Results fields have i=" + instance);
                }
                set.results = f;
            }
            case "ARC-Message-Signature" -> {
                if (set.signature != null) {
                    fail("two ARC-Message-Signature fields have i=" + instance);
                }
                set.signature = f;
            }
            default -> {
                if (set.seal != null) {
                    fail("two ARC-Seal fields have i=" + instance);
                }
                set.seal = f;
                var tags = ArcSignatures.tags(f.value());
                set.cv = tags.map(t -> t.getOrDefault("cv", "")).orElse("");
                set.sealDomain = tags.map(t -> t.getOrDefault("d", "")).orElse("");
            }
        }
    }

    /** RFC 8617 5.2 step 3: complete sets, instances 1..N, cv= none for 1 and pass after. */
    private void checkStructure() {
        if (problem != null || sets.isEmpty()) {
            return;
        }
        int n = instances();
        for (int i = 1; i <= n; i++) {
            ArcSet s = sets.get(i);
            if (s == null) {
                fail("the ARC sets are not numbered 1 to " + n + ": i=" + i + " is missing");
                return;
            }
            if (s.results == null || s.signature == null || s.seal == null) {
                fail("the ARC set i=" + i + " lacks its " + (s.results == null ? "ARC-Authentication-Results"
                        : s.signature == null ? "ARC-Message-Signature" : "ARC-Seal"));
                return;
            }
        }
        for (int i = 1; i <= n; i++) {
            String cv = sets.get(i).cv;
            String want = i == 1 ? "none" : "pass";
            if (!cv.equalsIgnoreCase(want) && !(i == n && cv.equalsIgnoreCase("fail"))) {
                fail("the ARC-Seal i=" + i + " has cv=" + ArcSignatures.shorten(cv) + " where cv=" + want
                        + " belongs (RFC 8617 5.2 step 3)");
                return;
            }
        }
    }

    private void fail(String why) {
        if (problem == null) {
            problem = why;
        }
    }

    private static int aarInstance(Field f) {
        Matcher m = AAR_INSTANCE.matcher(f.value());
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static int tagInstance(Field f) {
        var tags = ArcSignatures.tags(f.value());
        if (tags.isEmpty()) {
            return -1;
        }
        String i = tags.get().getOrDefault("i", "");
        return i.matches("[0-9]{1,3}") ? Integer.parseInt(i) : -1;
    }
}
