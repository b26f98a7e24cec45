package dev.mailflow.probe;

import java.util.List;

/**
 * A whole probe.
 *
 * @param outcome  PASSED, REFUSED (the server refused a step), TLS_POLICY_FAILED (the session
 *                 passed, but a DANE or MTA-STS check failed: senders that check will not
 *                 deliver), UNREACHABLE (no address or no connection), as the exit codes 0, 1, 1
 *                 and 3 say
 * @param queueId  the server's answer to the end of data, when a message was sent
 * @param mx       every MX host with every address tested (the matrix), in preference order;
 *                 empty with --first, for a host given directly without --all-mx, and when
 *                 the DNS step failed
 */
public record ProbeReport(int schemaVersion, String target, String outcome, String queueId, List<ProbeStep> steps,
                          List<MxMatrix.MxEntry> mx) {

    /** 2: the {@code mx} matrix was added (1 had only the steps). */
    public static final int SCHEMA_VERSION = 2;

    public ProbeReport {
        steps = List.copyOf(steps);
        mx = mx == null ? List.of() : List.copyOf(mx);
    }

    public int exitCode() {
        return switch (outcome) {
            case "PASSED" -> 0;
            case "REFUSED", "TLS_POLICY_FAILED" -> 1;
            default -> 3;
        };
    }
}
