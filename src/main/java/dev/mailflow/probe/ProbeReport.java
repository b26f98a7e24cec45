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
 */
public record ProbeReport(int schemaVersion, String target, String outcome, String queueId, List<ProbeStep> steps) {

    public static final int SCHEMA_VERSION = 1;

    public int exitCode() {
        return switch (outcome) {
            case "PASSED" -> 0;
            case "REFUSED", "TLS_POLICY_FAILED" -> 1;
            default -> 3;
        };
    }
}
