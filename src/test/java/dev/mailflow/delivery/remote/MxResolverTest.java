package dev.mailflow.delivery.remote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.dns.DnsResolver;
import dev.mailflow.dns.DnsjavaResolver;
import dev.mailflow.dns.Zone;
import dev.mailflow.testing.Dnsmasq;
import dev.mailflow.testing.FakeDnsServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Rcode;

/**
 * RFC 5321 5.1 over the shared resolver: MX by preference, implicit MX, null MX (RFC 7505),
 * A and AAAA of each host, in a zone; and DNS failures in words that name the server asked
 * and tell the failures apart (RFC 1035 4.1.1): timed out, REFUSED, SERVFAIL, NXDOMAIN. A real
 * dnsmasq for NXDOMAIN, fake servers on loopback for the others.
 */
class MxResolverTest {

    @TempDir
    Path tmp;

    private static MxResolver network(String server, Duration timeout) {
        DnsResolver dns = DnsjavaResolver.builder().server(server).timeout(timeout).tries(1).build();
        return new MxResolver(dns, MxResolver.describe(server));
    }

    private static MxResolver zone(Zone zone) {
        return new MxResolver(zone, "the test zone");
    }

    @Test
    void hostsComeInPreferenceOrderWithTheirAddresses() {
        var z = Zone.builder().mx("example.test", 20, "b.example.test").mx("example.test", 10, "a.example.test")
                .a("a.example.test", "192.0.2.1").aaaa("a.example.test", "2001:db8::1").a("b.example.test", "192.0.2.2")
                .build();
        var hosts = ((MxResolver.Hosts) zone(z).resolve("Example.TEST.")).hosts();
        assertThat(hosts).extracting(MxResolver.MxHost::name).containsExactly("a.example.test", "b.example.test");
        assertThat(hosts.get(0).addresses()).extracting(a -> a.getHostAddress())
                .containsExactly("192.0.2.1", "2001:db8:0:0:0:0:0:1");
        assertThat(hosts.get(0).implicit()).isFalse();
    }

    @Test
    void aDomainWithoutMxIsItsOwnImplicitMx() {
        var z = Zone.builder().a("plain.test", "192.0.2.9").build();
        var hosts = ((MxResolver.Hosts) zone(z).resolve("plain.test")).hosts();
        assertThat(hosts).singleElement().satisfies(h -> {
            assertThat(h.name()).isEqualTo("plain.test");
            assertThat(h.implicit()).isTrue();
        });
    }

    @Test
    void nullMxNoSuchDomainAndAnMxHostWithoutAddress() {
        var z = Zone.builder().mx("nomail.test", 0, ".").txt("empty.test", "v=spf1 -all")
                .mx("broken.test", 10, "nowhere.broken.test").build();
        assertThat(zone(z).resolve("nomail.test")).isInstanceOf(MxResolver.NullMx.class);
        assertThat(zone(z).resolve("empty.test")).isEqualTo(new MxResolver.NoSuchDomain(
                "empty.test has no MX and no address records (the test zone)"));
        assertThat(zone(z).resolve("missing.test")).isEqualTo(new MxResolver.NoSuchDomain(
                "missing.test does not exist (NXDOMAIN from the test zone)"));
        assertThat(zone(z).resolve("broken.test")).isEqualTo(new MxResolver.TempFailure(
                "MX host nowhere.broken.test has no address (the test zone)"));
    }

    @Test
    void aFailedAddressLookupOfTheOnlyMxIsTemporary() {
        var z = Zone.builder().mx("example.test", 10, "mx.example.test").servfail("mx.example.test").build();
        var r = zone(z).resolve("example.test");
        assertThat(((MxResolver.TempFailure) r).detail()).contains("SERVFAIL").contains("mx.example.test");
    }

    @Test
    void literalsAndSmartHostsNeedNoMx() {
        var z = Zone.builder().a("relay.test", "192.0.2.25").build();
        assertThat(((MxResolver.Hosts) zone(z).resolve("[192.0.2.1]")).hosts().get(0).addresses().get(0)
                .getHostAddress()).isEqualTo("192.0.2.1");
        assertThat(zone(z).resolve("[999.1.1.1]")).isInstanceOf(MxResolver.NoSuchDomain.class);
        assertThat(((MxResolver.Hosts) zone(z).smartHost("relay.test")).hosts().get(0).name()).isEqualTo("relay.test");
        assertThat(zone(z).smartHost("gone.test")).isEqualTo(new MxResolver.TempFailure(
                "smart host gone.test has no address (the test zone)"));
        assertThat(z.queries()).doesNotContain("relay.test MX");
    }

    @Test
    void aSilentServerTimesOutAndIsNamed() throws Exception {
        try (var dns = FakeDnsServer.silent()) {
            var r = network(dns.address(), Duration.ofSeconds(1)).resolve("example.net");
            assertThat(r).isInstanceOf(MxResolver.TempFailure.class);
            assertThat(((MxResolver.TempFailure) r).detail())
                    .isEqualTo(dns.address() + " did not answer the MX query for example.net within 1 s");
        }
    }

    @Test
    void aRefusedQueryIsNamedAsRefused() throws Exception {
        try (var dns = FakeDnsServer.answering(Rcode.REFUSED)) {
            var r = network(dns.address(), Duration.ofSeconds(2)).resolve("example.net");
            assertThat(((MxResolver.TempFailure) r).detail())
                    .isEqualTo(dns.address() + " refused the MX query for example.net (REFUSED)");
        }
    }

    @Test
    void aServerFailureIsNamedAsServfail() throws Exception {
        try (var dns = FakeDnsServer.answering(Rcode.SERVFAIL)) {
            var r = network(dns.address(), Duration.ofSeconds(2)).resolve("example.net");
            assertThat(((MxResolver.TempFailure) r).detail())
                    .isEqualTo(dns.address() + " answered SERVFAIL to the MX query for example.net");
        }
    }

    @Test
    void aFailedAddressLookupOfAHostIsNamedToo() throws Exception {
        try (var dns = FakeDnsServer.answering(Rcode.REFUSED)) {
            var r = network(dns.address(), Duration.ofSeconds(2)).smartHost("smtp.example.net");
            assertThat(((MxResolver.TempFailure) r).detail())
                    .isEqualTo(dns.address() + " refused the A query for smtp.example.net (REFUSED)");
        }
    }

    @Test
    void aNameThatDoesNotExistIsNxdomainFromTheServerAsked() throws Exception {
        int port = Dnsmasq.freePort();
        try (var dns = Dnsmasq.start(port, List.of("--mx-host=remote.test,mx.remote.test,10",
                "--host-record=mx.remote.test,127.0.0.1"), tmp.resolve("dnsmasq.log"))) {
            var r = network("127.0.0.1:" + port, Duration.ofSeconds(2)).resolve("nowhere.test");
            assertThat(r).isInstanceOf(MxResolver.NoSuchDomain.class);
            assertThat(((MxResolver.NoSuchDomain) r).detail())
                    .isEqualTo("nowhere.test does not exist (NXDOMAIN from DNS server 127.0.0.1:" + port + ")");
            var found = network("127.0.0.1:" + port, Duration.ofSeconds(2)).resolve("remote.test");
            assertThat(((MxResolver.Hosts) found).hosts().get(0).name()).isEqualTo("mx.remote.test");
        }
    }
}
