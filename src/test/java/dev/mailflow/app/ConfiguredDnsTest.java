package dev.mailflow.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailflow.dns.DnsAnswer;
import dev.mailflow.testing.Dnsmasq;
import dev.mailflow.testing.FakeDnsServer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Rcode;

/** The running server's one resolver: the same object before and after a reload that changes dns_server. */
class ConfiguredDnsTest {

    @TempDir
    Path tmp;

    @Test
    void aChangedServerIsAskedFromThenOnAndABadOneChangesNothing() throws Exception {
        int port = Dnsmasq.freePort();
        try (var dnsmasq = Dnsmasq.start(port, List.of("--host-record=mx.remote.test,192.0.2.5"),
                tmp.resolve("dnsmasq.log"));
             var refusing = FakeDnsServer.answering(Rcode.REFUSED)) {
            var dns = new ConfiguredDns("127.0.0.1:" + port);
            assertThat(dns.a("mx.remote.test")).isInstanceOf(DnsAnswer.Found.class);
            dns.use(refusing.address());
            assertThat(dns.server()).isEqualTo(refusing.address());
            var refused = dns.a("mx.remote.test");
            assertThat(refused).isInstanceOf(DnsAnswer.TempFail.class);
            assertThat(((DnsAnswer.TempFail<?>) refused).reason()).startsWith(refusing.address() + " refused");
            assertThatThrownBy(() -> dns.use("127.0.0.1:99999")).isInstanceOf(IllegalArgumentException.class);
            assertThat(dns.server()).isEqualTo(refusing.address());
            dns.use("127.0.0.1:" + port);
            assertThat(dns.a("mx.remote.test").records()).extracting(a -> a.getHostAddress()).containsExactly("192.0.2.5");
        }
    }
}
