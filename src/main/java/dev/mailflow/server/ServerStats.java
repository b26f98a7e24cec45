package dev.mailflow.server;

import java.util.concurrent.atomic.AtomicLong;

/** Counters of the receiving side, read by the metrics endpoint. */
public final class ServerStats {

    final AtomicLong tlsHandshakes = new AtomicLong();
    final AtomicLong authFailures = new AtomicLong();

    public long tlsHandshakes() {
        return tlsHandshakes.get();
    }

    public long authFailures() {
        return authFailures.get();
    }

    /** The methods and results counted by {@link #authenticationResults}, RFC 8601's words. */
    public static final java.util.Map<String, java.util.List<String>> AUTHENTICATION_RESULTS = java.util.Map.of(
            "spf", java.util.Arrays.stream(dev.mailflow.auth.spf.SpfResult.values())
                    .map(dev.mailflow.auth.spf.SpfResult::word).toList(),
            "dkim", java.util.Arrays.stream(dev.mailflow.auth.dkim.DkimStatus.values())
                    .map(dev.mailflow.auth.dkim.DkimStatus::keyword).toList(),
            "dmarc", java.util.Arrays.stream(dev.mailflow.auth.dmarc.DmarcResult.values())
                    .map(dev.mailflow.auth.dmarc.DmarcResult::word).toList(),
            "arc", java.util.Arrays.stream(dev.mailflow.auth.arc.ArcResult.values())
                    .map(dev.mailflow.auth.arc.ArcResult::word).toList());

    private final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.LongAdder> results =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** Messages checked with this result for this method (DKIM: signatures; "none" for an unsigned message). */
    public long authenticationResults(String method, String result) {
        var n = results.get(method + "=" + result);
        return n == null ? 0 : n.sum();
    }

    void authenticated(dev.mailflow.queue.AuthSummary summary) {
        count("spf", summary.spf());
        if (summary.dkim().isEmpty()) {
            count("dkim", "none");
        }
        summary.dkim().forEach(c -> count("dkim", c));
        count("dmarc", summary.dmarc());
        count("arc", summary.arc());
    }

    private final java.util.Map<Check, java.util.concurrent.atomic.LongAdder> rejections = new java.util.EnumMap<>(
            Check.class);

    {
        for (var check : Check.values()) {
            rejections.put(check, new java.util.concurrent.atomic.LongAdder());
        }
    }

    /** Commands and messages refused by this check since the start (each refused command once). */
    public long rejections(Check check) {
        return rejections.get(check).sum();
    }

    void rejected(Check check) {
        rejections.get(check).increment();
    }

    /** A transaction refused at MAIL for its SPF result: only SPF was checked. */
    void refusedAtMail(String spfResult) {
        count("spf", spfResult);
    }

    private void count(String method, dev.mailflow.queue.AuthSummary.Check check) {
        if (check != null) {
            count(method, check.result());
        }
    }

    private void count(String method, String result) {
        results.computeIfAbsent(method + "=" + result, k -> new java.util.concurrent.atomic.LongAdder()).increment();
    }
}
