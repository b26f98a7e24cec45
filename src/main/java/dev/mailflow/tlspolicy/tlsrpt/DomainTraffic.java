package dev.mailflow.tlspolicy.tlsrpt;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One policy domain's sessions of one day, counted the way RFC 8460 4.4 reports them: per
 * policy applied, successes and failures, and failures grouped by what a failure detail shows
 * (result type, sending and receiving addresses, MX name and greeting, reason). Memory grows
 * with the number of distinct policies and failure kinds, not with the number of sessions.
 * Not thread-safe: the scheduler fills it from one journal read.
 */
public final class DomainTraffic {

    /** Distinct failure details kept per policy; further kinds count only in the summary. */
    static final int MAX_FAILURE_DETAILS = 1000;

    /** Distinct policies kept per domain (a domain has a few: one STS or one TLSA set per MX). */
    static final int MAX_POLICIES = 200;

    /**
     * A policy as the report names it.
     *
     * @param mxHosts RFC 8460 4.4 {@code mx-host}: the {@code mx:} patterns of an MTA-STS policy,
     *                the MX host whose TLSA records these are, nothing for no-policy-found
     */
    record PolicyKey(PolicyType type, List<String> strings, List<String> mxHosts) {
    }

    /** What one failure detail groups by (RFC 8460 4.4 {@code failure-details}). */
    record FailureKey(ResultType resultType, String sendingIp, String mxHost, String mxHelo, String receivingIp,
                      String reasonCode, String additionalInformation) {
    }

    static final class PolicyTally {
        long successes;
        long failures;
        final Map<FailureKey, Long> details = new HashMap<>();
    }

    private final String policyDomain;
    private final Map<PolicyKey, PolicyTally> policies = new HashMap<>();
    private long sessions;

    public DomainTraffic(String policyDomain) {
        this.policyDomain = SessionResult.domain(Objects.requireNonNull(policyDomain));
    }

    public String policyDomain() {
        return policyDomain;
    }

    /** Sessions counted so far; a domain without any sends no report (stalwartlabs/stalwart#923). */
    public long sessions() {
        return sessions;
    }

    public long successes() {
        return policies.values().stream().mapToLong(t -> t.successes).sum();
    }

    public long failures() {
        return policies.values().stream().mapToLong(t -> t.failures).sum();
    }

    /** Counts one session of this domain. */
    public void add(SessionResult r) {
        if (!r.policyDomain().equals(policyDomain)) {
            throw new IllegalArgumentException(r.policyDomain() + " is not " + policyDomain);
        }
        var key = new PolicyKey(r.type(), r.policyStrings(), mxHosts(r));
        PolicyTally tally = policies.get(key);
        if (tally == null) {
            if (policies.size() >= MAX_POLICIES) {
                // Counting it with no policy strings keeps the totals right without growing further.
                key = new PolicyKey(r.type(), List.of(), List.of());
                tally = policies.computeIfAbsent(key, k -> new PolicyTally());
            } else {
                tally = new PolicyTally();
                policies.put(key, tally);
            }
        }
        sessions++;
        if (r.failure() == null) {
            tally.successes++;
            return;
        }
        tally.failures++;
        var f = r.failure();
        var detail = new FailureKey(f.resultType(), text(r.sendingIp()), r.mxHost(), r.mxHelo(), text(r.receivingIp()),
                f.reasonCode(), f.additionalInformation() == null ? null : f.additionalInformation().toString());
        if (!tally.details.containsKey(detail) && tally.details.size() >= MAX_FAILURE_DETAILS) {
            detail = new FailureKey(f.resultType(), null, null, null, null, null, null);
        }
        tally.details.merge(detail, 1L, Long::sum);
    }

    /** The policies in a stable order (type, then strings, then MX hosts), for a repeatable report. */
    List<Map.Entry<PolicyKey, PolicyTally>> policies() {
        var list = new ArrayList<>(policies.entrySet());
        list.sort(Comparator.comparing((Map.Entry<PolicyKey, PolicyTally> e) -> e.getKey().type())
                .thenComparing(e -> String.join("\n", e.getKey().strings()))
                .thenComparing(e -> String.join("\n", e.getKey().mxHosts())));
        return list;
    }

    private static List<String> mxHosts(SessionResult r) {
        return switch (r.type()) {
            case STS -> stsMxPatterns(r.policyStrings());
            case TLSA -> r.mxHost() == null ? List.of() : List.of(r.mxHost());
            case NO_POLICY_FOUND -> List.of();
        };
    }

    /** The values of the {@code mx:} lines of an MTA-STS policy (RFC 8461 3.2), as written. */
    static List<String> stsMxPatterns(List<String> lines) {
        var patterns = new ArrayList<String>();
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().toLowerCase(Locale.ROOT).equals("mx")) {
                String value = line.substring(colon + 1).strip();
                if (!value.isEmpty()) {
                    patterns.add(value);
                }
            }
        }
        return List.copyOf(patterns);
    }

    /** An address as RFC 5952 writes IPv6 (the longest run of zero groups as "::", lower case). */
    static String text(InetAddress a) {
        if (a == null) {
            return null;
        }
        if (!(a instanceof java.net.Inet6Address)) {
            return a.getHostAddress();
        }
        byte[] b = a.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1; // a single zero group is not shortened (RFC 5952 4.2.2)
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        var sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }
}
