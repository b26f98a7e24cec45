package dev.mailflow.tlspolicy.mtasts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.dns.DnsResolver;
import dev.mailflow.dns.Zone;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-domain decision of RFC 8461 5.1 and 10.2, with a zone, a scripted fetcher and a clock. */
class MtaStsTest {

    private static final String ENFORCE = "version: STSv1\nmode: enforce\nmx: mx.example.test\nmax_age: 86400\n";
    private static final String TESTING = "version: STSv1\nmode: testing\nmx: *.example.test\nmax_age: 86400\n";

    @TempDir
    Path dir;

    /** A clock the test moves. */
    static final class MovingClock extends Clock {
        volatile Instant now = Instant.parse("2026-05-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** Serves the policy text it holds (null: fails), counting fetches. */
    static final class ScriptedFetcher implements PolicyFetcher {
        final AtomicReference<String> body = new AtomicReference<>();
        final AtomicInteger count = new AtomicInteger();
        volatile Duration delay = Duration.ZERO;

        @Override
        public Result fetch(String domain) {
            count.incrementAndGet();
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            String text = body.get();
            if (text == null) {
                return new Failed("https://mta-sts." + domain + "/.well-known/mta-sts.txt answered 503");
            }
            return new Fetched(((MtaStsPolicy.Valid) MtaStsPolicy.parse(text)).policy());
        }
    }

    private final MovingClock clock = new MovingClock();
    private final ScriptedFetcher fetcher = new ScriptedFetcher();

    private static Zone zone(String record) {
        var b = Zone.builder().a("mx.example.test", "127.0.0.1");
        if (record != null) {
            b.txt("_mta-sts.example.test", record);
        }
        return b.build();
    }

    /** A resolver whose zone the test swaps. */
    private static final class SwappableDns implements DnsResolver {
        volatile Zone zone;

        SwappableDns(Zone zone) {
            this.zone = zone;
        }

        @Override
        public <T> dev.mailflow.dns.DnsAnswer<T> lookup(String name, dev.mailflow.dns.RecordType<T> type) {
            return zone.lookup(name, type);
        }
    }

    private MtaSts mtaSts(DnsResolver dns) {
        return new MtaSts(dns, fetcher, new PolicyStore(dir), clock);
    }

    @Test
    void noRecordMeansNoPolicyAndNoFetch() {
        var decision = mtaSts(zone(null)).policyFor("example.test");
        assertThat(decision).isEqualTo(new MtaSts.NoPolicy("_mta-sts.example.test does not exist (NXDOMAIN)"));
        assertThat(fetcher.count).hasValue(0);
    }

    @Test
    void aNewRecordIsFetchedOnceThenTheCacheServesTheSameId() {
        fetcher.body.set(ENFORCE);
        var sts = mtaSts(zone("v=STSv1; id=1"));
        var first = sts.policyFor("Example.Test.");
        assertThat(first).isInstanceOfSatisfying(MtaSts.Active.class, a -> {
            assertThat(a.domain()).isEqualTo("example.test");
            assertThat(a.fromCache()).isFalse();
            assertThat(a.policy().mode()).isEqualTo(MtaStsPolicy.Mode.ENFORCE);
        });
        clock.advance(Duration.ofHours(1));
        assertThat(sts.policyFor("example.test")).isInstanceOfSatisfying(MtaSts.Active.class,
                a -> assertThat(a.fromCache()).isTrue());
        assertThat(fetcher.count).hasValue(1);
        assertThat(sts.fetches()).isEqualTo(1);
    }

    @Test
    void aChangedIdFetchesAgain() {
        fetcher.body.set(ENFORCE);
        var dns = new SwappableDns(zone("v=STSv1; id=1"));
        var sts = mtaSts(dns);
        sts.policyFor("example.test");
        fetcher.body.set(TESTING);
        dns.zone = zone("v=STSv1; id=2");
        assertThat(sts.policyFor("example.test")).isInstanceOfSatisfying(MtaSts.Active.class, a -> {
            assertThat(a.fromCache()).isFalse();
            assertThat(a.policy().mode()).isEqualTo(MtaStsPolicy.Mode.TESTING);
        });
        assertThat(fetcher.count).hasValue(2);
        assertThat(sts.cached("example.test").orElseThrow().id()).isEqualTo("2");
    }

    @Test
    void aFailedFetchUsesTheStillValidCachedPolicy() {
        fetcher.body.set(ENFORCE);
        var dns = new SwappableDns(zone("v=STSv1; id=1"));
        var sts = mtaSts(dns);
        sts.policyFor("example.test");
        fetcher.body.set(null);
        dns.zone = zone("v=STSv1; id=2");
        clock.advance(Duration.ofHours(2));
        assertThat(sts.policyFor("example.test")).isInstanceOfSatisfying(MtaSts.Active.class, a -> {
            assertThat(a.fromCache()).isTrue();
            assertThat(a.policy().mode()).isEqualTo(MtaStsPolicy.Mode.ENFORCE);
        });
        assertThat(fetcher.count).hasValue(2);
    }

    @Test
    void anExpiredCacheAndAFailedFetchIsNoPolicy() {
        fetcher.body.set(ENFORCE);
        var sts = mtaSts(zone("v=STSv1; id=1"));
        sts.policyFor("example.test");
        fetcher.body.set(null);
        clock.advance(Duration.ofDays(1).plusSeconds(1));
        var decision = sts.policyFor("example.test");
        assertThat(decision).isEqualTo(new MtaSts.NoPolicy("the policy could not be fetched "
                + "(https://mta-sts.example.test/.well-known/mta-sts.txt answered 503) and the cached one expired at "
                + "2026-05-02T00:00:00Z", true));
        assertThat(fetcher.count).hasValue(2);
    }

    @Test
    void noCacheAndAFailedFetchIsNoPolicyAndIsNotRetriedAtOnce() {
        var sts = mtaSts(zone("v=STSv1; id=1"));
        assertThat(sts.policyFor("example.test")).isEqualTo(new MtaSts.NoPolicy("the policy could not be fetched "
                + "(https://mta-sts.example.test/.well-known/mta-sts.txt answered 503) and none is cached", true));
        sts.policyFor("example.test");
        assertThat(fetcher.count).hasValue(1);
        clock.advance(MtaSts.FAILURE_BACKOFF.plusSeconds(1));
        fetcher.body.set(ENFORCE);
        assertThat(sts.policyFor("example.test")).isInstanceOf(MtaSts.Active.class);
        assertThat(fetcher.count).hasValue(2);
    }

    @Test
    void aStrippedOrFailingRecordKeepsTheCachedPolicy() {
        fetcher.body.set(ENFORCE);
        var dns = new SwappableDns(zone("v=STSv1; id=1"));
        var sts = mtaSts(dns);
        sts.policyFor("example.test");
        dns.zone = zone(null);
        assertThat(sts.policyFor("example.test")).isInstanceOf(MtaSts.Active.class);
        dns.zone = Zone.builder().timeout("_mta-sts.example.test").build();
        assertThat(sts.policyFor("example.test")).isInstanceOfSatisfying(MtaSts.Active.class,
                a -> assertThat(a.fromCache()).isTrue());
        dns.zone = zone("v=STSv1; id=1; id=2");
        assertThat(sts.policyFor("example.test")).isInstanceOf(MtaSts.Active.class);
        assertThat(fetcher.count).hasValue(1);
        clock.advance(Duration.ofDays(2));
        dns.zone = Zone.builder().timeout("_mta-sts.example.test").build();
        assertThat(sts.policyFor("example.test")).isInstanceOfSatisfying(MtaSts.NoPolicy.class,
                n -> assertThat(n.why()).startsWith("the _mta-sts.example.test TXT lookup failed ("));
    }

    @Test
    void modeNoneIsNoPolicyAndIsCached() {
        fetcher.body.set("version: STSv1\nmode: none\nmax_age: 86400\n");
        var sts = mtaSts(zone("v=STSv1; id=9"));
        assertThat(sts.policyFor("example.test")).isEqualTo(new MtaSts.NoPolicy("example.test publishes mode: none"));
        assertThat(sts.policyFor("example.test")).isEqualTo(new MtaSts.NoPolicy("example.test publishes mode: none"));
        assertThat(fetcher.count).hasValue(1);
    }

    @Test
    void theCacheSurvivesARestart() {
        fetcher.body.set(ENFORCE);
        mtaSts(zone("v=STSv1; id=1")).policyFor("example.test");
        fetcher.body.set(null);
        var restarted = mtaSts(zone("v=STSv1; id=1"));
        assertThat(restarted.policyFor("example.test")).isInstanceOfSatisfying(MtaSts.Active.class,
                a -> assertThat(a.fromCache()).isTrue());
        assertThat(fetcher.count).hasValue(1);
    }

    @Test
    void concurrentDeliveriesToOneDomainFetchOnce() throws Exception {
        fetcher.body.set(ENFORCE);
        fetcher.delay = Duration.ofMillis(300);
        var sts = mtaSts(zone("v=STSv1; id=1"));
        var start = new CountDownLatch(1);
        var results = new ArrayList<Future<MtaSts.Decision>>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 20; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return sts.policyFor("example.test");
                }));
            }
            start.countDown();
            for (var r : results) {
                assertThat(r.get()).isInstanceOf(MtaSts.Active.class);
            }
        }
        assertThat(fetcher.count).hasValue(1);
    }

    @Test
    void refreshDueFetchesPoliciesNearTheirEndAndForgetsExpiredOnes() {
        fetcher.body.set(ENFORCE);
        var sts = mtaSts(zone("v=STSv1; id=1"));
        sts.policyFor("example.test");
        // max_age is a day: a refresh is due at once (a day left is within "a day")
        clock.advance(Duration.ofHours(1));
        fetcher.body.set(TESTING);
        assertThat(sts.refreshDue(clock.instant())).containsExactly("example.test");
        assertThat(sts.cached("example.test").orElseThrow().policy().mode()).isEqualTo(MtaStsPolicy.Mode.TESTING);
        assertThat(sts.cached("example.test").orElseThrow().expires()).isEqualTo(clock.instant().plus(Duration.ofDays(1)));
        // a failed refresh keeps the cached policy
        fetcher.body.set(null);
        assertThat(sts.refreshDue(clock.instant())).containsExactly("example.test");
        assertThat(sts.cached("example.test")).isPresent();
        clock.advance(Duration.ofDays(2));
        assertThat(sts.refreshDue(clock.instant())).isEmpty();
        assertThat(sts.cached("example.test")).isEmpty();
        assertThat(new PolicyStore(dir).all()).isEmpty();
    }

    @Test
    void aLongMaxAgeIsRefreshedInItsLastQuarterOnly() {
        fetcher.body.set("version: STSv1\nmode: enforce\nmx: mx.example.test\nmax_age: 2592000\n"); // 30 days
        var sts = mtaSts(zone("v=STSv1; id=1"));
        sts.policyFor("example.test");
        clock.advance(Duration.ofDays(20));
        assertThat(sts.refreshDue(clock.instant())).isEmpty();
        clock.advance(Duration.ofDays(3));
        assertThat(sts.refreshDue(clock.instant())).containsExactly("example.test");
        assertThat(fetcher.count).hasValue(2);
    }

    @Test
    void refreshWithoutARecordOrCacheIsNoPolicy() {
        assertThat(mtaSts(zone(null)).refresh("example.test")).isEqualTo(new MtaSts.NoPolicy(
                "_mta-sts.example.test has no usable record and no policy is cached"));
        assertThat(mtaSts(zone(null)).policyFor("not a domain..")).isInstanceOf(MtaSts.NoPolicy.class);
    }
}
