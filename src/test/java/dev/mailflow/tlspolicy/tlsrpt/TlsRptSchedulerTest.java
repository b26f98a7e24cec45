package dev.mailflow.tlspolicy.tlsrpt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.dns.DnsAnswer;
import dev.mailflow.dns.DnsResolver;
import dev.mailflow.dns.RecordType;
import dev.mailflow.dns.Zone;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daily run: when reports go out, to whom, what a DNS failure or an unreachable destination
 * does, and that a restart sends nothing twice. DNS is an in-memory zone; HTTPS destinations are
 * the JDK's HTTPS server on 127.0.0.1 with a test CA; mail goes to a recording mailer.
 */
class TlsRptSchedulerTest {

    private static final LocalDate DAY = AggregateReportTest.DAY;
    /** After every domain's due time (01:00 + at most 4 h). */
    private static final Instant AFTER_WINDOW = Instant.parse("2026-07-11T05:00:00Z");

    @TempDir
    Path dir;

    /** A resolver whose zone a test can replace between runs. */
    private static final class SwitchableDns implements DnsResolver {
        volatile Zone zone;

        SwitchableDns(Zone zone) {
            this.zone = zone;
        }

        @Override
        public <T> DnsAnswer<T> lookup(String name, RecordType<T> type) {
            return zone.lookup(name, type);
        }
    }

    record Mail(String from, String to, String message) {
    }

    private final List<Mail> mails = new CopyOnWriteArrayList<>();
    private volatile IOException mailFailure;
    private final ReportMailer mailer = (from, to, message) -> {
        if (mailFailure != null) {
            throw mailFailure;
        }
        mails.add(new Mail(from, to, new String(message, StandardCharsets.US_ASCII)));
    };

    private LoopbackCa ca;
    private TestReportServer https;
    private ReportPoster poster;
    private ReportLog log;

    @BeforeEach
    void setUp() throws Exception {
        ca = new LoopbackCa("TLS-RPT scheduler test CA");
        https = new TestReportServer(ca.serverContext(new String[0], InetAddress.getLoopbackAddress()));
        poster = new ReportPoster(ca.clientContext(), Duration.ofSeconds(5), Duration.ofSeconds(10));
        log = new ReportLog(dir.resolve("tls-rpt"));
    }

    @AfterEach
    void tearDown() {
        log.close();
        poster.close();
        https.close();
    }

    private Zone zone() {
        return Zone.builder()
                .txt("_smtp._tls.example.com", "v=TLSRPTv1; rua=mailto:tls@example.com," + https.uri("/tlsrpt"))
                .txt("_smtp._tls.example.net", "v=TLSRPTv1; rua=mailto:reports%2Bnet@example.net")
                .txt("_smtp._tls.quiet.example", "v=TLSRPTv1; rua=mailto:tls@quiet.example")
                .build();
    }

    private TlsRptScheduler scheduler(DnsResolver dns) {
        return new TlsRptScheduler(log, dns, AggregateReportTest.REPORTER, mailer, poster,
                TlsRptScheduler.Timing.DEFAULT);
    }

    private void recordTheDay() {
        TestTraffic.day().forEach(log::record);
    }

    @Test
    void nothingGoesOutBeforeTheDayHasEndedAndTheDelayPassed() {
        recordTheDay();
        var scheduler = scheduler(zone());
        assertThat(scheduler.runDue(Instant.parse("2026-07-10T23:59:00Z")).sent()).isEmpty();
        assertThat(scheduler.runDue(Instant.parse("2026-07-11T00:59:59Z")).sent()).isEmpty();
        var run = scheduler.runDue(AFTER_WINDOW);
        assertThat(run.sent()).containsExactlyInAnyOrder(
                "example.com 2026-07-10 -> mailto:tls@example.com",
                "example.com 2026-07-10 -> " + https.uri("/tlsrpt"),
                "example.net 2026-07-10 -> mailto:reports%2Bnet@example.net");
        assertThat(run.pending()).isEmpty();
        assertThat(mails).extracting(Mail::to).containsExactlyInAnyOrder("tls@example.com", "reports+net@example.net");
        assertThat(mails).allSatisfy(m -> assertThat(m.from()).isEqualTo("noreply-tlsrpt@mail.example.org"));
        assertThat(mails).filteredOn(m -> m.to().equals("tls@example.com")).singleElement()
                .satisfies(m -> assertThat(m.message()).contains("TLS-Report-Domain: example.com\r\n")
                        .contains("Content-Type: application/tlsrpt+gzip"));
        assertThat(https.received).singleElement().satisfies(r -> assertThat(r.body())
                .isEqualTo(AggregateReport.of(AggregateReportTest.REPORTER, DAY,
                        AggregateReportTest.tally().get("example.com")).gzip()));
    }

    @Test
    void eachDomainHasItsOwnTimeInTheWindowTheSameAfterARestart() {
        var scheduler = scheduler(zone());
        var com = scheduler.offset(DAY, "example.com");
        var net = scheduler.offset(DAY, "example.net");
        assertThat(com).isNotEqualTo(net);
        for (var offset : List.of(com, net, scheduler.offset(DAY.plusDays(1), "example.com"))) {
            assertThat(offset).isBetween(Duration.ZERO, Duration.ofHours(4).minusSeconds(1));
        }
        assertThat(scheduler(zone()).offset(DAY, "example.com")).isEqualTo(com);
        // between the two due times, only the earlier domain goes out
        recordTheDay();
        Instant dayEnd = Instant.parse("2026-07-11T01:00:00Z");
        var first = com.compareTo(net) < 0 ? "example.com" : "example.net";
        Instant between = dayEnd.plus(com.compareTo(net) < 0 ? com : net).plusSeconds(1);
        assertThat(between).as("the two domains' times are apart").isBefore(dayEnd.plus(com.compareTo(net) < 0 ? net : com));
        var run = scheduler.runDue(between);
        assertThat(run.sent()).isNotEmpty().allSatisfy(s -> assertThat(s).startsWith(first + " "));
        assertThat(run.pending()).singleElement().asString().contains("due at");
    }

    @Test
    void aDomainWithoutTrafficGetsNothing() throws Exception {
        recordTheDay();
        var zone = zone();
        scheduler(zone).runDue(AFTER_WINDOW);
        assertThat(mails).extracting(Mail::to).doesNotContain("tls@quiet.example");
        assertThat(zone.queries()).doesNotContain("_smtp._tls.quiet.example TXT");
        // a day whose journal has nothing valid (one torn line) sends nothing at all, and is complete
        mails.clear();
        zone.clearQueries();
        Files.writeString(dir.resolve("tls-rpt/2026-07-12.jsonl"), "{\"v\":1,\"t\":\"2026-07-12T10:00:00Z\",\"d\":\"exa");
        scheduler(zone).runDue(Instant.parse("2026-07-13T06:00:00Z"));
        assertThat(mails).isEmpty();
        assertThat(zone.queries()).isEmpty();
        assertThat(Files.exists(dir.resolve("tls-rpt/sent/2026-07-12/.complete"))).isTrue();
    }

    @Test
    void aDnsFailureIsTriedAgainAtTheNextRun() {
        recordTheDay();
        var dns = new SwitchableDns(Zone.builder()
                .txt("_smtp._tls.example.com", "v=TLSRPTv1; rua=mailto:tls@example.com")
                .servfail("_smtp._tls.example.net").build());
        var scheduler = scheduler(dns);
        var first = scheduler.runDue(AFTER_WINDOW);
        assertThat(first.sent()).containsExactly("example.com 2026-07-10 -> mailto:tls@example.com");
        assertThat(first.pending()).singleElement().asString().startsWith("example.net 2026-07-10: DNS:");
        dns.zone = zone();
        var second = scheduler.runDue(AFTER_WINDOW.plus(Duration.ofMinutes(10)));
        assertThat(second.sent()).containsExactly("example.net 2026-07-10 -> mailto:reports%2Bnet@example.net");
        assertThat(mails).extracting(Mail::to).containsExactly("tls@example.com", "reports+net@example.net");
    }

    @Test
    void aRestartSendsNothingTwice() {
        recordTheDay();
        var zone = zone();
        assertThat(scheduler(zone).runDue(AFTER_WINDOW).sent()).hasSize(3);
        zone.clearQueries();
        log.close();
        var again = scheduler(zone).runDue(AFTER_WINDOW.plus(Duration.ofMinutes(10)));
        assertThat(again.sent()).isEmpty();
        assertThat(again.pending()).isEmpty();
        assertThat(mails).hasSize(2);
        assertThat(https.received).hasSize(1);
        assertThat(zone.queries()).isEmpty(); // the day is complete: not even read again
    }

    @Test
    void aDestinationThatFailedIsTriedAgainAloneUntilItIsGivenUp() throws Exception {
        recordTheDay();
        https.handler = (exchange, request) -> TestReportServer.answer(exchange, 500);
        var zone = zone();
        var first = scheduler(zone).runDue(AFTER_WINDOW);
        assertThat(first.sent()).contains("example.com 2026-07-10 -> mailto:tls@example.com");
        assertThat(first.pending()).singleElement().asString()
                .contains(https.uri("/tlsrpt") + " answered HTTP 500");
        // a restart in between: the mail already sent is not sent again
        var second = scheduler(zone).runDue(AFTER_WINDOW.plus(Duration.ofHours(1)));
        assertThat(second.sent()).isEmpty();
        assertThat(second.pending()).hasSize(1);
        assertThat(mails).filteredOn(m -> m.to().equals("tls@example.com")).hasSize(1);
        // two days after the day's end it is given up, and the day is complete
        var late = scheduler(zone).runDue(Instant.parse("2026-07-13T00:00:00Z"));
        assertThat(late.finished()).singleElement().asString().contains("example.com 2026-07-10: given up 48 h");
        assertThat(Files.exists(dir.resolve("tls-rpt/sent/2026-07-10/.complete"))).isTrue();
        assertThat(https.received).hasSize(2);
    }

    @Test
    void aMailThatCouldNotBeQueuedIsTriedAgain() {
        recordTheDay();
        mailFailure = new IOException("the queue is full");
        var scheduler = scheduler(zone());
        var first = scheduler.runDue(AFTER_WINDOW);
        assertThat(first.pending()).anySatisfy(p -> assertThat(p).contains("the queue is full"));
        mailFailure = null;
        var second = scheduler.runDue(AFTER_WINDOW.plus(Duration.ofMinutes(10)));
        assertThat(second.sent()).containsExactlyInAnyOrder("example.com 2026-07-10 -> mailto:tls@example.com",
                "example.net 2026-07-10 -> mailto:reports%2Bnet@example.net");
        assertThat(https.received).hasSize(1);
    }

    @Test
    void noRecordOrAnInvalidOneFinishesTheDomainWithoutAskingAgain() {
        recordTheDay();
        var zone = Zone.builder()
                .txt("_smtp._tls.example.net", "v=TLSRPTv1; rua=mailto:a@example.net", "")
                .txt("_smtp._tls.example.net", "v=TLSRPTv1; rua=mailto:b@example.net")
                .build();
        var scheduler = scheduler(zone);
        var run = scheduler.runDue(AFTER_WINDOW);
        assertThat(run.sent()).isEmpty();
        assertThat(run.finished()).containsExactly(
                "example.com 2026-07-10: _smtp._tls.example.com does not exist (NXDOMAIN)",
                "example.net 2026-07-10: _smtp._tls.example.net has 2 records beginning with v=TLSRPTv1; RFC 8460 3 "
                        + "says a domain with more than one does not implement TLS-RPT");
        zone.clearQueries();
        assertThat(scheduler.runDue(AFTER_WINDOW.plusSeconds(600)).finished()).isEmpty();
        assertThat(zone.queries()).isEmpty();
        assertThat(mails).isEmpty();
    }

    @Test
    void aCompleteDaysJournalIsDeletedAfterTheDaysKept() {
        recordTheDay();
        var scheduler = scheduler(zone());
        scheduler.runDue(AFTER_WINDOW);
        assertThat(Files.exists(dir.resolve("tls-rpt/2026-07-10.jsonl"))).isTrue();
        scheduler.runDue(Instant.parse("2026-07-13T12:00:00Z"));
        assertThat(Files.exists(dir.resolve("tls-rpt/2026-07-10.jsonl"))).as("kept 3 days").isTrue();
        scheduler.runDue(Instant.parse("2026-07-14T00:00:00Z"));
        assertThat(Files.exists(dir.resolve("tls-rpt/2026-07-10.jsonl"))).isFalse();
        assertThat(Files.exists(dir.resolve("tls-rpt/sent/2026-07-10"))).isFalse();
        assertThat(mails).hasSize(2);
    }

    @Test
    void atMostFiveDestinationsPerDomain() {
        log.record(SessionResult.success(DAY.atTime(9, 0).toInstant(java.time.ZoneOffset.UTC), "example.com",
                PolicyType.NO_POLICY_FOUND, List.of(), "mx.example.com", null, null, null));
        var rua = new StringBuilder("v=TLSRPTv1; rua=");
        for (int i = 0; i < 8; i++) {
            rua.append(i == 0 ? "" : ",").append("mailto:r").append(i).append("@example.com");
        }
        var run = scheduler(Zone.builder().txt("_smtp._tls.example.com", rua.toString()).build()).runDue(AFTER_WINDOW);
        assertThat(run.sent()).hasSize(TlsRptScheduler.MAX_DESTINATIONS);
        assertThat(mails).extracting(Mail::to).containsExactly("r0@example.com", "r1@example.com", "r2@example.com",
                "r3@example.com", "r4@example.com");
    }
}
