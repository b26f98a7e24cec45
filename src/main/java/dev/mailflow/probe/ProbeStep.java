package dev.mailflow.probe;

import java.util.List;
import java.util.Map;

/**
 * One step of a probe, as shown and as JSON (docs/probe.md).
 *
 * @param name        DNS, RECORDS, CONNECT, BANNER, EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA, QUIT, and for a
 *                    domain MTA-STS, MX-TLS (one per MX host) and TLS-RPT
 * @param status      PASS, FAIL, WARN or SKIP (a TLS policy step whose checks do not apply)
 * @param millis      time the step took
 * @param exchange    the lines sent ("C: ") and received ("S: ")
 * @param meaning     what the reply means
 * @param reasons     possible reasons, for a failure
 * @param details     step data: MX hosts, capabilities, certificate...
 */
public record ProbeStep(String name, String status, long millis, List<String> exchange, List<String> meaning,
                        List<String> reasons, Map<String, Object> details) {
}
