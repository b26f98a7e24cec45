package dev.mailflow.tlspolicy.tlsrpt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * RFC 8460 4.4's report format, field by field, as assertions: each field's presence, type and
 * value set, and no field the RFC does not define. Written from the RFC's field list (4.4 and
 * its JSON schema's comments), not from our writer.
 */
final class Rfc8460Schema {

    private static final Set<String> TOP = Set.of("organization-name", "date-range", "contact-info", "report-id",
            "policies");
    private static final Set<String> POLICY_ENTRY = Set.of("policy", "summary", "failure-details");
    private static final Set<String> POLICY = Set.of("policy-type", "policy-string", "policy-domain", "mx-host");
    private static final Set<String> SUMMARY = Set.of("total-successful-session-count", "total-failure-session-count");
    private static final Set<String> DETAIL = Set.of("result-type", "sending-mta-ip", "receiving-mx-hostname",
            "receiving-mx-helo", "receiving-ip", "failed-session-count", "additional-information",
            "failure-reason-code");
    private static final Set<String> POLICY_TYPES = Set.of("tlsa", "sts", "no-policy-found");
    private static final Set<String> RESULT_TYPES = Set.of("starttls-not-supported", "certificate-host-mismatch",
            "certificate-expired", "certificate-not-trusted", "validation-failure", "tlsa-invalid", "dnssec-invalid",
            "dane-required", "sts-policy-fetch-error", "sts-policy-invalid", "sts-webpki-invalid");

    private Rfc8460Schema() {
    }

    /** Fails with the path of the first field that breaks the format. */
    static void check(JsonNode report) {
        assertThat(report.isObject()).as("the report is a JSON object").isTrue();
        onlyFields(report, TOP, "$");
        string(report, "organization-name", "$", true);
        string(report, "contact-info", "$", true);
        string(report, "report-id", "$", true);
        JsonNode range = report.get("date-range");
        assertThat(range).as("$.date-range").isNotNull();
        onlyFields(range, Set.of("start-datetime", "end-datetime"), "$.date-range");
        var start = dateTime(range, "start-datetime");
        var end = dateTime(range, "end-datetime");
        assertThat(end).as("$.date-range ends after it starts").isAfter(start);
        JsonNode policies = report.get("policies");
        assertThat(policies != null && policies.isArray()).as("$.policies is an array").isTrue();
        for (int i = 0; i < policies.size(); i++) {
            policyEntry(policies.get(i), "$.policies[" + i + "]");
        }
    }

    private static void policyEntry(JsonNode entry, String path) {
        onlyFields(entry, POLICY_ENTRY, path);
        JsonNode policy = entry.get("policy");
        assertThat(policy).as(path + ".policy").isNotNull();
        onlyFields(policy, POLICY, path + ".policy");
        assertThat(POLICY_TYPES).as(path + ".policy.policy-type").contains(string(policy, "policy-type", path, true));
        string(policy, "policy-domain", path + ".policy", true);
        stringArray(policy, "policy-string", path + ".policy");
        stringArray(policy, "mx-host", path + ".policy");
        JsonNode summary = entry.get("summary");
        assertThat(summary).as(path + ".summary").isNotNull();
        onlyFields(summary, SUMMARY, path + ".summary");
        count(summary, "total-successful-session-count", path + ".summary", true);
        long failures = count(summary, "total-failure-session-count", path + ".summary", true);
        JsonNode details = entry.get("failure-details");
        if (details != null) {
            assertThat(details.isArray()).as(path + ".failure-details is an array").isTrue();
            long sum = 0;
            for (int i = 0; i < details.size(); i++) {
                sum += detail(details.get(i), path + ".failure-details[" + i + "]");
            }
            assertThat(sum).as(path + ": the failure details add up to the failure count").isEqualTo(failures);
        } else {
            assertThat(failures).as(path + ": failures without details").isZero();
        }
    }

    private static long detail(JsonNode d, String path) {
        onlyFields(d, DETAIL, path);
        assertThat(RESULT_TYPES).as(path + ".result-type").contains(string(d, "result-type", path, true));
        ip(d, "sending-mta-ip", path);
        ip(d, "receiving-ip", path);
        string(d, "receiving-mx-hostname", path, false);
        string(d, "receiving-mx-helo", path, false);
        string(d, "failure-reason-code", path, false);
        String info = string(d, "additional-information", path, false);
        if (info != null) {
            assertThat(URI.create(info).isAbsolute()).as(path + ".additional-information is a URI").isTrue();
        }
        long count = count(d, "failed-session-count", path, true);
        assertThat(count).as(path + ".failed-session-count").isPositive();
        return count;
    }

    private static void onlyFields(JsonNode node, Set<String> allowed, String path) {
        assertThat(node.isObject()).as(path + " is an object").isTrue();
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        assertThat(allowed).as(path + " has only the fields of RFC 8460 4.4").containsAll(names);
    }

    private static String string(JsonNode node, String field, String path, boolean required) {
        JsonNode v = node.get(field);
        if (v == null) {
            assertThat(required).as(path + "." + field + " is required").isFalse();
            return null;
        }
        assertThat(v.isTextual() && !v.asText().isEmpty()).as(path + "." + field + " is a non-empty string").isTrue();
        return v.asText();
    }

    private static void stringArray(JsonNode node, String field, String path) {
        JsonNode v = node.get(field);
        if (v == null) {
            return;
        }
        assertThat(v.isArray() && !v.isEmpty()).as(path + "." + field + " is a non-empty array").isTrue();
        v.forEach(s -> assertThat(s.isTextual()).as(path + "." + field + "[] are strings").isTrue());
    }

    private static long count(JsonNode node, String field, String path, boolean required) {
        JsonNode v = node.get(field);
        assertThat(v != null || !required).as(path + "." + field + " is required").isTrue();
        assertThat(v.isIntegralNumber() && v.asLong() >= 0).as(path + "." + field + " is a count").isTrue();
        return v.asLong();
    }

    private static OffsetDateTime dateTime(JsonNode node, String field) {
        String s = string(node, field, "$.date-range", true);
        // RFC 3339 date-time, in UTC ("Z") as 4.4 shows
        assertThat(s).as("$.date-range." + field).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z");
        return OffsetDateTime.parse(s);
    }

    private static void ip(JsonNode node, String field, String path) {
        String s = string(node, field, path, false);
        if (s != null) {
            boolean v4 = s.matches("(\\d{1,3}\\.){3}\\d{1,3}");
            boolean v6 = s.matches("[0-9a-f:]+") && s.contains(":");
            assertThat(v4 || v6).as(path + "." + field + " is an IP address: " + s).isTrue();
        }
    }
}
