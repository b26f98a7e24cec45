package dev.mailflow.server.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SlidingWindowCountersTest {

    static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");
    static final Duration HOUR = Duration.ofHours(1);

    @Test
    void theLimitHoldsWithinTheWindowAndFreesAsItMoves() {
        var c = new SlidingWindowCounters();
        for (int i = 0; i < 3; i++) {
            assertThat(c.tryAcquire("k", 3, HOUR, T0.plusSeconds(i * 60))).isTrue();
        }
        assertThat(c.tryAcquire("k", 3, HOUR, T0.plusSeconds(600))).as("fourth within the hour").isFalse();
        assertThat(c.tryAcquire("other", 3, HOUR, T0.plusSeconds(600))).isTrue();
        assertThat(c.tryAcquire("k", 3, HOUR, T0.plus(HOUR))).as("the first left the window").isTrue();
        assertThat(c.tryAcquire("k", 3, HOUR, T0.plus(HOUR))).as("the second is still in it").isFalse();
        assertThat(c.tryAcquire("k", 0, HOUR, T0)).as("0: no limit").isTrue();
    }

    @Test
    void keysAreBounded() {
        var c = new SlidingWindowCounters(10);
        for (int i = 0; i < 1000; i++) {
            c.tryAcquire("k" + i, 5, HOUR, T0);
        }
        assertThat(c.keys()).isEqualTo(10);
    }
}
