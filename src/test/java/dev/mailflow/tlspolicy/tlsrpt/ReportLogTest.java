package dev.mailflow.tlspolicy.tlsrpt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportLogTest {

    private static final LocalDate DAY = LocalDate.of(2026, 7, 10);

    @TempDir
    Path dir;

    private static List<SessionResult> readAll(ReportLog log, LocalDate day) throws Exception {
        var list = new ArrayList<SessionResult>();
        log.read(day, list::add);
        return list;
    }

    @Test
    void everyFieldSurvivesTheJournal() throws Exception {
        try (var log = new ReportLog(dir)) {
            TestTraffic.day().forEach(log::record);
            assertThat(readAll(log, DAY)).containsExactlyElementsOf(TestTraffic.day());
        }
        // and a new instance (a restart) reads the same
        try (var log = new ReportLog(dir)) {
            assertThat(readAll(log, DAY)).containsExactlyElementsOf(TestTraffic.day());
            assertThat(log.days()).containsExactly(DAY);
        }
    }

    @Test
    void eachResultGoesToItsUtcDay() throws Exception {
        try (var log = new ReportLog(dir)) {
            log.record(result(Instant.parse("2026-07-10T23:59:59Z")));
            log.record(result(Instant.parse("2026-07-11T00:00:00Z")));
            log.record(result(Instant.parse("2026-07-10T23:59:59.9Z"))); // late, from a session before midnight
            log.record(result(Instant.parse("2026-07-09T12:00:00Z")));
            assertThat(log.days()).containsExactly(DAY.minusDays(1), DAY, DAY.plusDays(1));
            assertThat(readAll(log, DAY)).hasSize(2);
            assertThat(readAll(log, DAY.plusDays(1))).hasSize(1);
            assertThat(readAll(log, DAY.plusDays(5))).isEmpty();
            Files.writeString(dir.resolve("notes.jsonl"), "not a journal\n");
            assertThat(log.days()).hasSize(3);
            log.delete(DAY);
            assertThat(log.days()).containsExactly(DAY.minusDays(1), DAY.plusDays(1));
        }
    }

    @Test
    void aTornLastLineIsSkippedAndTheNextEntryStartsOnItsOwnLine() throws Exception {
        try (var log = new ReportLog(dir)) {
            log.record(result(TestTraffic.at("01:00:00")));
            log.record(result(TestTraffic.at("02:00:00")));
        }
        Path journal = dir.resolve("2026-07-10.jsonl");
        byte[] line = JournalLine.encode(result(TestTraffic.at("03:00:00")));
        // a crash in the middle of a write
        Files.write(journal, java.util.Arrays.copyOf(line, line.length / 2), StandardOpenOption.APPEND);
        try (var log = new ReportLog(dir)) {
            var before = new ArrayList<SessionResult>();
            assertThat(log.read(DAY, before::add)).isEqualTo(1);
            assertThat(before).hasSize(2);
            log.record(result(TestTraffic.at("04:00:00")));
            var after = new ArrayList<SessionResult>();
            assertThat(log.read(DAY, after::add)).isEqualTo(1);
            assertThat(after).extracting(SessionResult::time)
                    .containsExactly(TestTraffic.at("01:00:00"), TestTraffic.at("02:00:00"), TestTraffic.at("04:00:00"));
        }
    }

    @Test
    void damagedLinesAreSkippedNotHalfRead() throws Exception {
        Files.writeString(dir.resolve("2026-07-10.jsonl"), String.join("\n",
                "{\"v\":1}",
                "{\"v\":2,\"t\":\"2026-07-10T01:00:00Z\",\"d\":\"example.com\",\"p\":\"sts\",\"s\":[]}",
                "{\"v\":1,\"t\":\"2026-07-10T01:00:00Z\",\"d\":\"example.com\",\"p\":\"dane\",\"s\":[]}",
                "{\"v\":1,\"t\":\"2026-07-10T01:00:00Z\",\"d\":\"example.com\",\"p\":\"sts\",\"s\":[],\"r\":\"oops\"}",
                "{\"v\":1,\"t\":\"2026-07-10T01:00:00Z\",\"d\":\"exa mple.com\",\"p\":\"sts\",\"s\":[]}",
                "{\"v\":1,\"t\":\"2026-07-10T01:00:00Z\",\"d\":\"example.com\",\"p\":\"sts\",\"s\":[],\"rip\":\"mx.example\"}",
                "\u0000\u0000\u0000",
                "{\"v\":1,\"t\":\"2026-07-10T01:00:00Z\",\"d\":\"example.com\",\"p\":\"sts\",\"s\":[\"mode: testing\"]}",
                ""), StandardCharsets.UTF_8);
        try (var log = new ReportLog(dir)) {
            var list = new ArrayList<SessionResult>();
            assertThat(log.read(DAY, list::add)).isEqualTo(7);
            assertThat(list).singleElement().extracting(SessionResult::policyStrings).isEqualTo(List.of("mode: testing"));
        }
    }

    @Test
    void manyThreadsAtOnceLoseNothingAndMixNothing() throws Exception {
        int threads = 16;
        int each = 500;
        try (var log = new ReportLog(dir); var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var start = new CountDownLatch(1);
            for (int t = 0; t < threads; t++) {
                int thread = t;
                pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < each; i++) {
                        log.record(new SessionResult(TestTraffic.at("05:00:00"), "d" + thread + ".example.com",
                                PolicyType.STS, TestTraffic.STS, "mx" + i + ".example.com", null,
                                TestTraffic.ip("192.0.2.1"), null, null));
                    }
                    return null;
                });
            }
            start.countDown();
            pool.shutdown();
            assertThat(pool.awaitTermination(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            var list = new ArrayList<SessionResult>();
            assertThat(log.read(DAY, list::add)).isZero();
            assertThat(list).hasSize(threads * each);
            assertThat(list.stream().map(SessionResult::policyDomain).distinct()).hasSize(threads);
        }
    }

    @Test
    void aFullDayStopsGrowingWithoutFailingDelivery() throws Exception {
        long lineLength = JournalLine.encode(result(TestTraffic.at("01:00:00"))).length;
        try (var log = new ReportLog(dir, lineLength * 3 + 1)) {
            for (int i = 0; i < 10; i++) {
                log.record(result(TestTraffic.at("01:00:00")));
            }
            assertThat(readAll(log, DAY)).hasSize(3);
            log.record(result(Instant.parse("2026-07-11T01:00:00Z"))); // a new day starts afresh
            assertThat(readAll(log, DAY.plusDays(1))).hasSize(1);
        }
    }

    @Test
    void aDiskErrorIsLoggedNotThrown() throws Exception {
        Path sub = dir.resolve("tls-rpt");
        try (var log = new ReportLog(sub)) {
            Files.delete(sub);
            Files.writeString(sub, "a file where the directory was");
            log.record(result(TestTraffic.at("01:00:00"))); // no exception
            Files.delete(sub);
            Files.createDirectory(sub);
            log.record(result(TestTraffic.at("02:00:00"))); // works again
            assertThat(readAll(log, DAY)).hasSize(1);
        }
    }

    private static SessionResult result(Instant time) {
        return SessionResult.success(time, "example.com", PolicyType.NO_POLICY_FOUND, List.of(), "mx.example.com",
                null, TestTraffic.ip("192.0.2.1"), null);
    }
}
