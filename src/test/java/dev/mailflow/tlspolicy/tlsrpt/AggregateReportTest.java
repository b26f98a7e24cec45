package dev.mailflow.tlspolicy.tlsrpt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class AggregateReportTest {

    static final ReporterIdentity REPORTER = new ReporterIdentity("Mailflow Test Org", "postmaster@mail.example.org",
            "mail.example.org", "noreply-tlsrpt@mail.example.org");
    static final LocalDate DAY = LocalDate.of(2026, 7, 10);
    private static final ObjectMapper JSON = new ObjectMapper();

    static Map<String, DomainTraffic> tally() {
        var domains = new TreeMap<String, DomainTraffic>();
        for (var r : TestTraffic.day()) {
            domains.computeIfAbsent(r.policyDomain(), DomainTraffic::new).add(r);
        }
        return domains;
    }

    private static JsonNode fixture(String name) throws Exception {
        try (InputStream in = AggregateReportTest.class.getResourceAsStream(name)) {
            assertThat(in).as("fixture " + name).isNotNull();
            return JSON.readTree(in);
        }
    }

    @Test
    void aDayOfTwoDomainsGivesTheExpectedReports() throws Exception {
        var domains = tally();
        assertThat(domains).containsOnlyKeys("example.com", "example.net");
        var com = AggregateReport.of(REPORTER, DAY, domains.get("example.com"));
        var net = AggregateReport.of(REPORTER, DAY, domains.get("example.net"));
        assertThat(JSON.readTree(com.json())).isEqualTo(fixture("report-example.com.json"));
        assertThat(JSON.readTree(net.json())).isEqualTo(fixture("report-example.net.json"));
        assertThat(com.successes()).isEqualTo(5);
        assertThat(com.failures()).isEqualTo(4);
        assertThat(net.successes()).isEqualTo(3);
        assertThat(net.failures()).isEqualTo(2);
    }

    @Test
    void theReportsFollowRfc8460sFormat() throws Exception {
        for (var traffic : tally().values()) {
            Rfc8460Schema.check(JSON.readTree(AggregateReport.of(REPORTER, DAY, traffic).json()));
        }
        // the checks themselves catch what they are for
        var broken = (com.fasterxml.jackson.databind.node.ObjectNode) fixture("report-example.net.json");
        broken.put("policy-count", 2);
        assertThatThrownBy(() -> Rfc8460Schema.check(broken)).hasMessageContaining("only the fields of RFC 8460");
        var badType = (com.fasterxml.jackson.databind.node.ObjectNode) fixture("report-example.net.json");
        ((com.fasterxml.jackson.databind.node.ObjectNode) badType.get("policies").get(0).get("failure-details").get(0))
                .put("result-type", "tls-broken");
        assertThatThrownBy(() -> Rfc8460Schema.check(badType)).hasMessageContaining("result-type");
        var badCount = (com.fasterxml.jackson.databind.node.ObjectNode) fixture("report-example.net.json");
        ((com.fasterxml.jackson.databind.node.ObjectNode) badCount.get("policies").get(0).get("summary"))
                .put("total-failure-session-count", 7);
        assertThatThrownBy(() -> Rfc8460Schema.check(badCount)).hasMessageContaining("add up");
    }

    @Test
    void theSameDayGivesTheSameReportWhateverTheOrderOfSessions() {
        var reversed = new DomainTraffic("example.com");
        var list = new java.util.ArrayList<>(TestTraffic.day());
        java.util.Collections.reverse(list);
        list.stream().filter(r -> r.policyDomain().equals("example.com")).forEach(reversed::add);
        assertThat(AggregateReport.of(REPORTER, DAY, reversed).json())
                .isEqualTo(AggregateReport.of(REPORTER, DAY, tally().get("example.com")).json());
    }

    @Test
    void idFileNameAndTimestamps() {
        var report = AggregateReport.of(REPORTER, DAY, tally().get("example.com"));
        long begin = Instant.parse("2026-07-10T00:00:00Z").getEpochSecond();
        long end = Instant.parse("2026-07-10T23:59:59Z").getEpochSecond();
        assertThat(report.beginTimestamp()).isEqualTo(begin);
        assertThat(report.endTimestamp()).isEqualTo(end);
        assertThat(report.fileName()).isEqualTo("mail.example.org!example.com!" + begin + "!" + end + ".json.gz");
        assertThat(report.reportId()).isEqualTo("20260710.example.com@mail.example.org");
    }

    @Test
    void gzipRoundTrip() throws Exception {
        var report = AggregateReport.of(REPORTER, DAY, tally().get("example.net"));
        byte[] gz = report.gzip();
        assertThat(gz[0] & 0xff).isEqualTo(0x1f);
        assertThat(gz[1] & 0xff).isEqualTo(0x8b);
        try (var in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            assertThat(in.readAllBytes()).isEqualTo(report.json());
        }
    }

    @Test
    void noReportForADayWithoutSessions() {
        assertThatThrownBy(() -> AggregateReport.of(REPORTER, DAY, new DomainTraffic("example.com")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("without sessions");
    }

    @Test
    void failureKindsPerPolicyAreBounded() {
        var traffic = new DomainTraffic("example.com");
        for (int i = 0; i < DomainTraffic.MAX_FAILURE_DETAILS + 50; i++) {
            traffic.add(new SessionResult(TestTraffic.at("01:00:00"), "example.com", PolicyType.NO_POLICY_FOUND,
                    null, "mx.example.com", null, null, null,
                    new SessionResult.Failure(ResultType.VALIDATION_FAILURE, "reason " + i)));
        }
        var report = AggregateReport.of(REPORTER, DAY, traffic);
        assertThat(report.failures()).isEqualTo(DomainTraffic.MAX_FAILURE_DETAILS + 50);
        Rfc8460Schema.check(readTree(report.json()));
    }

    @Test
    void ipv6AddressesAreWrittenShort() {
        assertThat(DomainTraffic.text(TestTraffic.ip("2001:db8:0:0:1:0:0:1"))).isEqualTo("2001:db8::1:0:0:1");
        assertThat(DomainTraffic.text(TestTraffic.ip("::1"))).isEqualTo("::1");
        assertThat(DomainTraffic.text(TestTraffic.ip("2001:db8:1:1:1:1:0:1"))).isEqualTo("2001:db8:1:1:1:1:0:1");
        assertThat(DomainTraffic.text(TestTraffic.ip("fe80::"))).isEqualTo("fe80::");
        assertThat(DomainTraffic.text(TestTraffic.ip("192.0.2.1"))).isEqualTo("192.0.2.1");
    }

    private static JsonNode readTree(byte[] json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
