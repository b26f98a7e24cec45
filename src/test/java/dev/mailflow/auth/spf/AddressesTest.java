package dev.mailflow.auth.spf;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class AddressesTest {

    @Test
    void strictIp4() {
        assertThat(Addresses.parseIp4("192.0.2.255")).isPresent();
        assertThat(Addresses.parseIp4("0.0.0.0")).isPresent();
        assertThat(Addresses.parseIp4("192.0.2.256")).isEmpty();
        assertThat(Addresses.parseIp4("192.0.2.01")).isEmpty();
        assertThat(Addresses.parseIp4("192.0.2")).isEmpty();
        assertThat(Addresses.parseIp4("host.example")).isEmpty();
    }

    @Test
    void ip6() throws Exception {
        assertThat(Addresses.parseIp6("2001:db8::1")).hasValue(InetAddress.getByName("2001:db8::1").getAddress());
        assertThat(Addresses.parseIp6("::")).hasValue(new byte[16]);
        assertThat(Addresses.parseIp6("::ffff:1.2.3.4").get()).endsWith((byte) 0xff, (byte) 0xff, (byte) 1, (byte) 2,
                (byte) 3, (byte) 4);
        assertThat(Addresses.parseIp6("1:2:3:4:5:6:7:8")).isPresent();
        assertThat(Addresses.parseIp6("1:2:3:4:5:6:1.2.3.4")).isPresent();
        assertThat(Addresses.parseIp6("1:2:3:4:5:6:7:8:9")).isEmpty();
        assertThat(Addresses.parseIp6("1:2:3:4:5:6:7")).isEmpty();
        assertThat(Addresses.parseIp6("::CAFE::BABE")).isEmpty();
        assertThat(Addresses.parseIp6(":CAFE::BABE")).isEmpty();
        assertThat(Addresses.parseIp6("12345::")).isEmpty();
        assertThat(Addresses.parseIp6("::1.2.3")).isEmpty();
        assertThat(Addresses.parseIp6("fe80::1%eth0")).isEmpty();
    }

    @Test
    void networks() throws Exception {
        var ip = InetAddress.getByName("192.0.2.77");
        assertThat(Addresses.inNetwork(ip, Addresses.parseIp4("192.0.2.0").get(), 24)).isTrue();
        assertThat(Addresses.inNetwork(ip, Addresses.parseIp4("192.0.2.64").get(), 26)).isTrue();
        assertThat(Addresses.inNetwork(ip, Addresses.parseIp4("192.0.2.96").get(), 27)).isFalse();
        assertThat(Addresses.inNetwork(ip, Addresses.parseIp4("10.0.0.0").get(), 0)).isTrue();
        assertThat(Addresses.inNetwork(ip, Addresses.parseIp6("::").get(), 0)).isFalse();
    }

    @Test
    void forms() throws Exception {
        assertThat(Addresses.readable(InetAddress.getByName("2001:db8:0:0:1:0:0:1"))).isEqualTo("2001:db8::1:0:0:1");
        assertThat(Addresses.readable(InetAddress.getByName("2001:0:0:1:0:0:0:1"))).isEqualTo("2001:0:0:1::1");
        assertThat(Addresses.readable(InetAddress.getByName("2001:db8:1:1:1:1:0:1"))).isEqualTo("2001:db8:1:1:1:1:0:1");
        assertThat(Addresses.readable(InetAddress.getByName("::"))).isEqualTo("::");
        assertThat(Addresses.readable(InetAddress.getByName("::1"))).isEqualTo("::1");
        assertThat(Addresses.dotted(InetAddress.getByName("192.0.2.3"))).isEqualTo("192.0.2.3");
        assertThat(Addresses.dotted(InetAddress.getByName("2001:db8::cb01")))
                .isEqualTo("2.0.0.1.0.D.B.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.C.B.0.1");
        var mapped = InetAddress.getByAddress(Addresses.parseIp6("::ffff:192.0.2.1").get());
        assertThat(Addresses.isIp4(Addresses.normalize(mapped))).isTrue();
    }
}
