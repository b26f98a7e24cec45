package dev.mailflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.server.ConnectionLimiter.Admission;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** Limits count an IPv6 client by its /64, and clients together by their /24 or /48. */
class ConnectionLimiterTest {

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void anIpv6ClientRotatingThroughItsSlash64CountsAsOne() throws Exception {
        var limiter = new ConnectionLimiter(100, 2, 50);
        assertThat(limiter.tryAcquire(ip("2001:db8:1:2::1"))).isEqualTo(Admission.ADMITTED);
        assertThat(limiter.tryAcquire(ip("2001:db8:1:2:ffff::9"))).isEqualTo(Admission.ADMITTED);
        assertThat(limiter.tryAcquire(ip("2001:db8:1:2:dead:beef:0:1"))).isEqualTo(Admission.TOO_MANY_FROM_ADDRESS);
        // another /64 is another host
        assertThat(limiter.tryAcquire(ip("2001:db8:1:3::1"))).isEqualTo(Admission.ADMITTED);
        limiter.release(ip("2001:db8:1:2::1"));
        assertThat(limiter.tryAcquire(ip("2001:db8:1:2::77"))).isEqualTo(Admission.ADMITTED);
        assertThat(limiter.open()).isEqualTo(3);
    }

    @Test
    void hostsOfOneNetworkShareTheNetworkLimit() throws Exception {
        var limiter = new ConnectionLimiter(100, 2, 3);
        assertThat(limiter.tryAcquire(ip("192.0.2.1"))).isEqualTo(Admission.ADMITTED);
        assertThat(limiter.tryAcquire(ip("192.0.2.2"))).isEqualTo(Admission.ADMITTED);
        assertThat(limiter.tryAcquire(ip("192.0.2.3"))).isEqualTo(Admission.ADMITTED);
        assertThat(limiter.tryAcquire(ip("192.0.2.4"))).isEqualTo(Admission.TOO_MANY_FROM_NETWORK);
        assertThat(limiter.tryAcquire(ip("198.51.100.4"))).isEqualTo(Admission.ADMITTED);
        // IPv6 networks are /48s
        var v6 = new ConnectionLimiter(100, 1, 2);
        assertThat(v6.tryAcquire(ip("2001:db8:1:1::1"))).isEqualTo(Admission.ADMITTED);
        assertThat(v6.tryAcquire(ip("2001:db8:1:2::1"))).isEqualTo(Admission.ADMITTED);
        assertThat(v6.tryAcquire(ip("2001:db8:1:3::1"))).isEqualTo(Admission.TOO_MANY_FROM_NETWORK);
        assertThat(v6.tryAcquire(ip("2001:db8:2:1::1"))).isEqualTo(Admission.ADMITTED);
    }

    @Test
    void busyAtFourFifthsOfTheConnections() throws Exception {
        var limiter = new ConnectionLimiter(10, 10, 10);
        for (int i = 0; i < 7; i++) {
            limiter.tryAcquire(ip("192.0.2.1"));
        }
        assertThat(limiter.busy()).isFalse();
        limiter.tryAcquire(ip("192.0.2.1"));
        assertThat(limiter.busy()).isTrue();
    }
}
