package dev.mailflow.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class CachingResolverTest {

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-01T00:00:00Z"));
    private final InstantSource clock = now::get;
    private final Zone zone = Zone.builder().ttl(Duration.ofSeconds(60)).txt("a.test", "one").txt("b.test", "two")
            .txt("c.test", "three").ttl(Duration.ZERO).txt("zero.test", "never kept").ttl(Duration.ofDays(30))
            .txt("long.test", "kept a day").negativeTtl(Duration.ofHours(3)).timeout("hangs.test").build();

    private CachingResolver cache(int entries) {
        return new CachingResolver(zone, new CachingResolver.Settings(entries, Duration.ofDays(1), Duration.ofMinutes(15),
                Duration.ofSeconds(5)), clock);
    }

    private void advance(Duration d) {
        now.set(now.get().plus(d));
    }

    @Test
    void answersAreKeptForTheirTtlWithTheTtlLeft() {
        var cache = cache(100);
        cache.txt("a.test");
        advance(Duration.ofSeconds(20));
        var again = (DnsAnswer.Found<TxtRecord>) cache.txt("A.TEST.");
        assertThat(again.ttl()).isEqualTo(Duration.ofSeconds(40));
        assertThat(zone.queries()).containsExactly("a.test TXT");
        advance(Duration.ofSeconds(41));
        cache.txt("a.test");
        assertThat(zone.queries()).containsExactly("a.test TXT", "a.test TXT");
        assertThat(cache.stats().hits()).isEqualTo(1);
        assertThat(cache.stats().misses()).isEqualTo(2);
    }

    @Test
    void anAnswerExpiresAtTheEndOfItsTtlToTheMillisecond() {
        var cache = cache(100);
        cache.txt("a.test");
        advance(Duration.ofMillis(59_999));
        assertThat(((DnsAnswer.Found<TxtRecord>) cache.txt("a.test")).ttl()).isEqualTo(Duration.ZERO);
        advance(Duration.ofMillis(1));
        cache.txt("a.test");
        assertThat(zone.queries()).containsExactly("a.test TXT", "a.test TXT");
    }

    @Test
    void namesInAnotherFormShareTheEntryAndInvalidNamesAreNotCached() {
        var cache = cache(100);
        cache.txt("b.test");
        cache.txt("B.Test");
        cache.txt("b.test.");
        assertThat(zone.queries()).containsExactly("b.test TXT");
        String tooLong = "x".repeat(64) + ".test";
        cache.txt(tooLong);
        cache.txt(tooLong);
        cache.txt("a..test");
        assertThat(cache.stats().size()).isEqualTo(1);
        assertThat(cache.stats().hits()).isEqualTo(2);
    }

    @Test
    void ttlsAreCapped() {
        var cache = cache(100);
        cache.txt("zero.test");
        cache.txt("zero.test");
        assertThat(zone.queries()).containsExactly("zero.test TXT", "zero.test TXT");
        zone.clearQueries();
        cache.txt("long.test");
        advance(Duration.ofHours(25));
        cache.txt("long.test");
        assertThat(zone.queries()).hasSize(2);
    }

    @Test
    void negativeAnswersAreKeptAtMostTheNegativeCap() {
        var cache = cache(100);
        assertThat(cache.a("nothere.test")).isInstanceOf(DnsAnswer.NotFound.class);
        advance(Duration.ofMinutes(14));
        var kept = (DnsAnswer.NotFound<?>) cache.a("nothere.test");
        assertThat(kept.ttl()).isEqualTo(Duration.ofMinutes(1));
        advance(Duration.ofMinutes(2));
        cache.a("nothere.test");
        assertThat(zone.queries()).containsExactly("nothere.test A", "nothere.test A");
    }

    @Test
    void failuresAreKeptAFewSeconds() {
        var cache = cache(100);
        cache.a("hangs.test");
        advance(Duration.ofSeconds(4));
        assertThat(cache.a("hangs.test")).isInstanceOf(DnsAnswer.TempFail.class);
        advance(Duration.ofSeconds(2));
        cache.a("hangs.test");
        assertThat(zone.queries()).containsExactly("hangs.test A", "hangs.test A");
    }

    @Test
    void theLeastRecentlyUsedGoesWhenFull() {
        var cache = cache(2);
        cache.txt("a.test");
        cache.txt("b.test");
        cache.txt("a.test"); // a is now the most recent
        cache.txt("c.test"); // b goes
        zone.clearQueries();
        cache.txt("a.test");
        cache.txt("b.test");
        assertThat(zone.queries()).containsExactly("b.test TXT");
        assertThat(cache.stats().size()).isEqualTo(2);
    }

    @Test
    void typesAreCachedApart() {
        var cache = cache(100);
        cache.txt("a.test");
        cache.a("a.test");
        assertThat(zone.queries()).containsExactly("a.test TXT", "a.test A");
    }
}
