package dev.mailflow.delivery.remote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.testing.Dnsmasq;
import dev.mailflow.testing.FakeDnsServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Rcode;

/**
 * DNS failures in words that name the server asked and tell the failures apart (RFC 1035
 * 4.1.1): timed out, REFUSED, SERVFAIL, NXDOMAIN. A real dnsmasq for NXDOMAIN, fake servers
 * on loopback for the others.
 */
class MxResolverTest {

    @TempDir
    Path tmp;

    private static MxResolver.Result resolve(String server, Duration timeout, String domain) throws Exception {
        return new MxResolver(server, timeout).resolve(domain);
    }

    @Test
    void aSilentServerTimesOutAndIsNamed() throws Exception {
        try (var dns = FakeDnsServer.silent()) {
            var r = resolve(dns.address(), Duration.ofSeconds(1), "example.net");
            assertThat(r).isInstanceOf(MxResolver.TempFailure.class);
            assertThat(((MxResolver.TempFailure) r).detail())
                    .isEqualTo("DNS server " + dns.address() + " did not answer within 1 s (MX example.net)");
        }
    }

    @Test
    void aRefusedQueryIsNamedAsRefused() throws Exception {
        try (var dns = FakeDnsServer.answering(Rcode.REFUSED)) {
            var r = resolve(dns.address(), Duration.ofSeconds(2), "example.net");
            assertThat(((MxResolver.TempFailure) r).detail())
                    .isEqualTo("DNS server " + dns.address() + " refused the query for MX example.net (REFUSED)");
        }
    }

    @Test
    void aServerFailureIsNamedAsServfail() throws Exception {
        try (var dns = FakeDnsServer.answering(Rcode.SERVFAIL)) {
            var r = resolve(dns.address(), Duration.ofSeconds(2), "example.net");
            assertThat(((MxResolver.TempFailure) r).detail())
                    .startsWith("DNS server " + dns.address() + " could not resolve MX example.net (SERVFAIL");
        }
    }

    @Test
    void aFailedAddressLookupOfAHostIsNamedToo() throws Exception {
        try (var dns = FakeDnsServer.answering(Rcode.REFUSED)) {
            var r = new MxResolver(dns.address(), Duration.ofSeconds(2)).smartHost("smtp.example.net");
            assertThat(((MxResolver.TempFailure) r).detail())
                    .isEqualTo("DNS server " + dns.address() + " refused the query for A smtp.example.net (REFUSED)");
        }
    }

    @Test
    void aNameThatDoesNotExistIsNxdomainFromTheServerAsked() throws Exception {
        int port = Dnsmasq.freePort();
        try (var dns = Dnsmasq.start(port, List.of("--mx-host=remote.test,mx.remote.test,10",
                "--host-record=mx.remote.test,127.0.0.1"), tmp.resolve("dnsmasq.log"))) {
            var r = resolve("127.0.0.1:" + port, Duration.ofSeconds(2), "nowhere.test");
            assertThat(r).isInstanceOf(MxResolver.NoSuchDomain.class);
            assertThat(((MxResolver.NoSuchDomain) r).detail())
                    .isEqualTo("nowhere.test does not exist (NXDOMAIN from DNS server 127.0.0.1:" + port + ")");
            var found = resolve("127.0.0.1:" + port, Duration.ofSeconds(2), "remote.test");
            assertThat(((MxResolver.Hosts) found).hosts().get(0).name()).isEqualTo("mx.remote.test");
        }
    }
}
