package dev.mailflow.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The limiter on its own, with a clock the test moves: networks, accounts, memory. */
class AuthFailureLimiterTest {

    /** A clock the test sets. */
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-12-01T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final TestClock clock = new TestClock();

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    private static void fail(AuthFailureLimiter limiter, String client, String account) throws Exception {
        var attempt = limiter.begin(ip(client), account);
        assertThat(attempt.refusal()).as("%s at %s", client, account).isNull();
        attempt.failed();
    }

    @Test
    void successesClearNothing() throws Exception {
        var limiter = new AuthFailureLimiter(3, 5, Duration.ofMinutes(15), 100, clock);
        for (int i = 0; i < 2; i++) {
            fail(limiter, "192.0.2.1", "victim@example.test");
            limiter.begin(ip("192.0.2.1"), "mine@example.test").succeeded();
        }
        fail(limiter, "192.0.2.1", "victim@example.test");
        assertThat(limiter.addressBlocked(ip("192.0.2.1"))).isTrue();
        assertThat(limiter.begin(ip("192.0.2.1"), "mine@example.test").refusal())
                .isEqualTo(AuthFailureLimiter.Refusal.ADDRESS);
    }

    @Test
    void anAccountIsLimitedWhereverTheGuessesComeFrom() throws Exception {
        var limiter = new AuthFailureLimiter(3, 5, Duration.ofMinutes(15), 100, clock);
        for (int i = 1; i <= 5; i++) {
            fail(limiter, "198.51.100." + i, "Victim@Example.Test");
        }
        assertThat(limiter.begin(ip("203.0.113.9"), "victim@example.test").refusal())
                .isEqualTo(AuthFailureLimiter.Refusal.ACCOUNT);
        assertThat(limiter.begin(ip("203.0.113.9"), "other@example.test").refusal()).isNull();
        assertThat(limiter.addressBlocked(ip("203.0.113.9"))).isFalse();
    }

    @Test
    void anIpv6ClientCountsByItsSlash64AndAnIpv4ClientByItsAddress() throws Exception {
        var limiter = new AuthFailureLimiter(3, 100, Duration.ofMinutes(15), 100, clock);
        fail(limiter, "2001:db8:1:2::1", "a@example.test");
        fail(limiter, "2001:db8:1:2:ffff:ffff:ffff:ffff", "b@example.test");
        fail(limiter, "2001:db8:1:2:1234::99", "c@example.test");
        assertThat(limiter.addressBlocked(ip("2001:db8:1:2::abcd"))).as("the same /64").isTrue();
        assertThat(limiter.addressBlocked(ip("2001:db8:1:3::1"))).as("the next /64").isFalse();

        fail(limiter, "192.0.2.1", "a@example.test");
        fail(limiter, "192.0.2.1", "b@example.test");
        fail(limiter, "::ffff:192.0.2.1", "c@example.test");
        assertThat(limiter.addressBlocked(ip("192.0.2.1"))).as("IPv4-mapped counts as IPv4").isTrue();
        assertThat(limiter.addressBlocked(ip("192.0.2.2"))).as("IPv4: the address alone").isFalse();
        assertThat(ClientNetwork.of(ip("2001:db8:1:2::1")).toString()).isEqualTo("2001:db8:1:2::/64");
    }

    @Test
    void checksInFlightCountAgainstTheLimit() throws Exception {
        var limiter = new AuthFailureLimiter(3, 100, Duration.ofMinutes(15), 100, clock);
        var a = limiter.begin(ip("192.0.2.1"), "x@example.test");
        var b = limiter.begin(ip("192.0.2.1"), "y@example.test");
        var c = limiter.begin(ip("192.0.2.1"), "z@example.test");
        assertThat(limiter.begin(ip("192.0.2.1"), "w@example.test").refusal())
                .as("three checks running: a fourth would pass the limit").isEqualTo(AuthFailureLimiter.Refusal.ADDRESS);
        a.abandoned();
        b.succeeded();
        c.failed();
        c.failed();
        assertThat(limiter.addressBlocked(ip("192.0.2.1"))).as("one failure, counted once").isFalse();
    }

    @Test
    void failuresAgeOutOfTheWindow() throws Exception {
        var limiter = new AuthFailureLimiter(2, 100, Duration.ofMinutes(15), 100, clock);
        fail(limiter, "192.0.2.1", "a@example.test");
        clock.now = clock.now.plus(Duration.ofMinutes(10));
        fail(limiter, "192.0.2.1", "a@example.test");
        assertThat(limiter.addressBlocked(ip("192.0.2.1"))).isTrue();
        clock.now = clock.now.plus(Duration.ofMinutes(6));
        assertThat(limiter.addressBlocked(ip("192.0.2.1"))).as("the first failure is 16 minutes old").isFalse();
        clock.now = clock.now.plus(Duration.ofMinutes(16));
        limiter.addressBlocked(ip("192.0.2.9"));
        assertThat(limiter.trackedNetworks()).as("nothing left within the window").isZero();
        assertThat(limiter.trackedAccounts()).isZero();
    }

    @Test
    void rotatingUserNamesAndNetworksKeepsMemoryBounded() throws Exception {
        var limiter = new AuthFailureLimiter(10, 20, Duration.ofMinutes(15), 1000, clock);
        for (int i = 0; i < 20_000; i++) {
            var attempt = limiter.begin(ip("2001:db8:" + Integer.toHexString(i) + "::1"),
                    "guess" + i + "@example.test" + "x".repeat(1000));
            assertThat(attempt.refusal()).isNull();
            attempt.failed();
        }
        assertThat(limiter.trackedNetworks()).isEqualTo(1000);
        assertThat(limiter.trackedAccounts()).isEqualTo(1000);
    }

    @Test
    void anAccountUnderAttackIsNotTheOneEvicted() throws Exception {
        var limiter = new AuthFailureLimiter(1000, 5, Duration.ofMinutes(15), 10, clock);
        for (int i = 0; i < 4; i++) {
            fail(limiter, "192.0.2.1", "victim@example.test");
            // nine other user names between two guesses fill the map to its size
            for (int k = 0; k < 9; k++) {
                fail(limiter, "192.0.2.1", "filler" + i + "-" + k + "@example.test");
            }
        }
        fail(limiter, "192.0.2.1", "victim@example.test");
        assertThat(limiter.begin(ip("192.0.2.2"), "victim@example.test").refusal())
                .isEqualTo(AuthFailureLimiter.Refusal.ACCOUNT);
    }
}
