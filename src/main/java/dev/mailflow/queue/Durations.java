package dev.mailflow.queue;

import java.time.Duration;

/** A duration in words for people: {@code 5 s}, {@code 1 h 30 min}, {@code 2 d}, never {@code PT1H30M}. */
public final class Durations {

    private Durations() {
    }

    public static String words(Duration d) {
        if (d.isZero() || d.isNegative()) {
            return "0 s";
        }
        var sb = new StringBuilder();
        append(sb, d.toDaysPart(), "d");
        append(sb, d.toHoursPart(), "h");
        append(sb, d.toMinutesPart(), "min");
        append(sb, d.toSecondsPart(), "s");
        append(sb, d.toMillisPart(), "ms");
        return sb.isEmpty() ? d.toNanos() + " ns" : sb.toString();
    }

    private static void append(StringBuilder sb, long n, String unit) {
        if (n > 0) {
            sb.append(sb.isEmpty() ? "" : " ").append(n).append(' ').append(unit);
        }
    }
}
