package dev.mailflow.probe;

import java.util.List;
import java.util.Map;

/**
 * One step of a probe, as shown and as JSON (docs/probe.md).
 *
 * @param name        DNS, CONNECT, BANNER, EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA, QUIT
 * @param status      PASS, FAIL, WARN or SKIP
 * @param millis      time the step took
 * @param exchange    the lines sent ("C: ") and received ("S: ")
 * @param meaning     what the reply means
 * @param reasons     possible reasons, for a failure
 * @param details     step data: MX hosts, capabilities, certificate...
 */
public record ProbeStep(String name, String status, long millis, List<String> exchange, List<String> meaning,
                        List<String> reasons, Map<String, Object> details) {
}
