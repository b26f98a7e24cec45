package dev.mailflow.probe;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One check of a TLS policy step (the TLSA records, DNSSEC, the DANE match, the MTA-STS record
 * and policy, the WebPKI check, TLS-RPT), with its own verdict, so that a step that checks
 * several things shows each on a line of its own: {@code PASS DANE: DANE-EE 3 1 1 matched ...}.
 *
 * @param name    the check, e.g. "TLSA", "DNSSEC", "DANE", "MTA-STS mx", "WebPKI"
 * @param verdict PASS, WARN, FAIL, or SKIP (the check does not apply)
 * @param detail  what was found, in words
 */
record PolicyCheck(String name, String verdict, String detail) {

    /** The line the step shows. */
    String line() {
        return verdict + " " + name + ": " + detail;
    }

    Map<String, Object> json() {
        var m = new LinkedHashMap<String, Object>();
        m.put("check", name);
        m.put("result", verdict.toLowerCase(java.util.Locale.ROOT));
        m.put("detail", detail);
        return m;
    }

    /** Collects a step's checks and its possible reasons for failure; the worst verdict is the step's. */
    static final class Collector {
        final List<PolicyCheck> checks = new ArrayList<>();
        final List<String> reasons = new ArrayList<>();

        void pass(String name, String detail) {
            checks.add(new PolicyCheck(name, "PASS", detail));
        }

        void skip(String name, String detail) {
            checks.add(new PolicyCheck(name, "SKIP", detail));
        }

        void warn(String name, String detail, String... why) {
            checks.add(new PolicyCheck(name, "WARN", detail));
            reasons.addAll(List.of(why));
        }

        void fail(String name, String detail, String... why) {
            checks.add(new PolicyCheck(name, "FAIL", detail));
            reasons.addAll(List.of(why));
        }

        /** FAIL, WARN, PASS, or SKIP when every check was skipped. */
        String status() {
            for (String v : List.of("FAIL", "WARN", "PASS")) {
                if (checks.stream().anyMatch(c -> c.verdict().equals(v))) {
                    return v;
                }
            }
            return "SKIP";
        }

        List<String> lines() {
            return checks.stream().map(PolicyCheck::line).toList();
        }

        List<Map<String, Object>> json() {
            return checks.stream().map(PolicyCheck::json).toList();
        }
    }
}
