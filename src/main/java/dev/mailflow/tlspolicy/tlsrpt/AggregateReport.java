package dev.mailflow.tlspolicy.tlsrpt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import java.util.zip.GZIPOutputStream;

/**
 * One aggregate report, RFC 8460 4.4: one policy domain, one UTC day (4.1's report time
 * frame, {@code 00:00:00Z} to {@code 23:59:59Z}), every policy applied that day with its
 * success and failure counts and the failures grouped ({@link DomainTraffic}).
 *
 * <p>The JSON has the RFC's fields: {@code organization-name}, {@code date-range},
 * {@code contact-info}, {@code report-id}, and {@code policies[]} of {@code policy}
 * ({@code policy-type}, {@code policy-string}, {@code policy-domain}, {@code mx-host}),
 * {@code summary} and {@code failure-details[]} ({@code result-type}, {@code sending-mta-ip},
 * {@code receiving-mx-hostname}, {@code receiving-mx-helo}, {@code receiving-ip},
 * {@code failed-session-count}, {@code additional-information}, {@code failure-reason-code});
 * an optional field without a value is left out, and so is an empty array. Policies and
 * details come in a fixed order, so the same day gives the same report.
 *
 * <p>The report id is {@code YYYYMMDD.<policy domain>@<submitter>}: unique per submitter,
 * domain and day, and the same when a report is sent again (to another rua, or after a
 * failed attempt), as receivers use it to drop duplicates.
 */
public final class AggregateReport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter COMPACT = DateTimeFormatter.BASIC_ISO_DATE;

    private final ReporterIdentity reporter;
    private final LocalDate day;
    private final DomainTraffic traffic;
    private final byte[] json;

    private AggregateReport(ReporterIdentity reporter, LocalDate day, DomainTraffic traffic) {
        this.reporter = reporter;
        this.day = day;
        this.traffic = traffic;
        this.json = render();
    }

    /** The report of {@code traffic}, which must have at least one session. */
    public static AggregateReport of(ReporterIdentity reporter, LocalDate day, DomainTraffic traffic) {
        Objects.requireNonNull(reporter);
        Objects.requireNonNull(day);
        if (traffic.sessions() == 0) {
            throw new IllegalArgumentException("no report for a day without sessions (" + traffic.policyDomain() + ")");
        }
        return new AggregateReport(reporter, day, traffic);
    }

    public String policyDomain() {
        return traffic.policyDomain();
    }

    public LocalDate day() {
        return day;
    }

    public ReporterIdentity reporter() {
        return reporter;
    }

    public long successes() {
        return traffic.successes();
    }

    public long failures() {
        return traffic.failures();
    }

    /** {@code 20260710.example.com@mail.example.net}. */
    public String reportId() {
        return day.format(COMPACT) + "." + traffic.policyDomain() + "@" + reporter.submitter();
    }

    /** Start of the report's day, seconds since the epoch. */
    public long beginTimestamp() {
        return day.atStartOfDay().toEpochSecond(ZoneOffset.UTC);
    }

    /** The last second of the report's day ({@code 23:59:59Z}), seconds since the epoch. */
    public long endTimestamp() {
        return beginTimestamp() + 86_399;
    }

    /**
     * The file name RFC 8460 5.3 gives the report:
     * {@code submitter!policy-domain!begin-timestamp!end-timestamp.json.gz} (the optional
     * unique-id is left out: one report per domain and day).
     */
    public String fileName() {
        return reporter.submitter() + "!" + traffic.policyDomain() + "!" + beginTimestamp() + "!" + endTimestamp()
                + ".json.gz";
    }

    /** The JSON report, UTF-8. */
    public byte[] json() {
        return json.clone();
    }

    /** The JSON report, gzip-compressed ({@code application/tlsrpt+gzip}, RFC 8460 6.4). */
    public byte[] gzip() {
        var out = new ByteArrayOutputStream(json.length / 4 + 64);
        try (var gz = new GZIPOutputStream(out)) {
            gz.write(json);
        } catch (IOException e) {
            throw new UncheckedIOException("gzip into memory", e);
        }
        return out.toByteArray();
    }

    private byte[] render() {
        ObjectNode root = JSON.createObjectNode();
        root.put("organization-name", reporter.organizationName());
        ObjectNode range = root.putObject("date-range");
        range.put("start-datetime", day + "T00:00:00Z");
        range.put("end-datetime", day + "T23:59:59Z");
        root.put("contact-info", reporter.contactInfo());
        root.put("report-id", reportId());
        ArrayNode policies = root.putArray("policies");
        for (var entry : traffic.policies()) {
            var key = entry.getKey();
            var tally = entry.getValue();
            ObjectNode p = policies.addObject();
            ObjectNode policy = p.putObject("policy");
            policy.put("policy-type", key.type().jsonName());
            if (!key.strings().isEmpty()) {
                key.strings().forEach(policy.putArray("policy-string")::add);
            }
            policy.put("policy-domain", traffic.policyDomain());
            if (!key.mxHosts().isEmpty()) {
                key.mxHosts().forEach(policy.putArray("mx-host")::add);
            }
            ObjectNode summary = p.putObject("summary");
            summary.put("total-successful-session-count", tally.successes);
            summary.put("total-failure-session-count", tally.failures);
            if (!tally.details.isEmpty()) {
                ArrayNode details = p.putArray("failure-details");
                tally.details.entrySet().stream()
                        .sorted(java.util.Map.Entry.comparingByKey(FAILURE_ORDER))
                        .forEach(d -> detail(details.addObject(), d.getKey(), d.getValue()));
            }
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings and numbers always serializes", e);
        }
    }

    private static void detail(ObjectNode d, DomainTraffic.FailureKey key, long count) {
        d.put("result-type", key.resultType().jsonName());
        putIfSet(d, "sending-mta-ip", key.sendingIp());
        putIfSet(d, "receiving-mx-hostname", key.mxHost());
        putIfSet(d, "receiving-mx-helo", key.mxHelo());
        putIfSet(d, "receiving-ip", key.receivingIp());
        d.put("failed-session-count", count);
        putIfSet(d, "additional-information", key.additionalInformation());
        putIfSet(d, "failure-reason-code", key.reasonCode());
    }

    private static void putIfSet(ObjectNode o, String key, String value) {
        if (value != null) {
            o.put(key, value);
        }
    }

    private static final java.util.Comparator<String> NULLS_FIRST =
            java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder());

    private static final java.util.Comparator<DomainTraffic.FailureKey> FAILURE_ORDER =
            java.util.Comparator.comparing(DomainTraffic.FailureKey::resultType)
                    .thenComparing(DomainTraffic.FailureKey::mxHost, NULLS_FIRST)
                    .thenComparing(DomainTraffic.FailureKey::receivingIp, NULLS_FIRST)
                    .thenComparing(DomainTraffic.FailureKey::sendingIp, NULLS_FIRST)
                    .thenComparing(DomainTraffic.FailureKey::mxHelo, NULLS_FIRST)
                    .thenComparing(DomainTraffic.FailureKey::reasonCode, NULLS_FIRST)
                    .thenComparing(DomainTraffic.FailureKey::additionalInformation, NULLS_FIRST);
}
