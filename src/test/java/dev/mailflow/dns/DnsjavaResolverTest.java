package dev.mailflow.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailflow.auth.spf.Spf;
import dev.mailflow.auth.spf.SpfResult;
import dev.mailflow.testing.Dnsmasq;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dnsjava resolver against a real DNS server: dnsmasq on a loopback port, serving only
 * the records below (names under .test are local to it; anything else it refuses, having no
 * upstream). A silent server is a UDP socket that never answers.
 */
class DnsjavaResolverTest {

    private static final String BIG = "y".repeat(250);

    @TempDir
    static Path dir;
    private static Dnsmasq dnsmasq;
    private static DatagramSocket silent;
    private static DnsjavaResolver resolver;

    @BeforeAll
    static void start() throws Exception {
        silent = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        var records = new ArrayList<>(List.of(
                "--local-ttl=300", // dnsmasq's own records have TTL 0 otherwise, and nothing would be cached
                "--txt-record=only-txt.test,v=spf1 -all",
                "--txt-record=multi.test,part one ,part two",
                "--host-record=host.test,192.0.2.1,2001:db8::1",
                "--mx-host=mx.test,mail.mx.test,10",
                "--mx-host=mx.test,backup.mx.test,20",
                "--host-record=mail.mx.test,192.0.2.25",
                "--ptr-record=9.2.0.192.in-addr.arpa,named.ptr.test",
                "--cname=alias.test,host.test",
                "--txt-record=big.test," + String.join(",", List.of(BIG, BIG, BIG, BIG, BIG, BIG, BIG)),
                "--server=/slow.test/127.0.0.1#" + silent.getLocalPort(),
                // SPF through the same server
                "--txt-record=spf.test,v=spf1 a:host.test mx:mx.test include:inc.spf.test -all",
                "--txt-record=inc.spf.test,v=spf1 ip4:198.51.100.0/24 ~all",
                "--txt-record=slowspf.test,v=spf1 include:slow.test -all"));
        dnsmasq = Dnsmasq.start(Dnsmasq.freePort(), records, dir.resolve("dnsmasq.log"));
        resolver = DnsjavaResolver.builder().server("127.0.0.1:" + dnsmasq.port()).timeout(Duration.ofMillis(700))
                .tries(2).build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (dnsmasq != null) {
            dnsmasq.close();
        }
        if (silent != null) {
            silent.close();
        }
    }

    @Test
    void txtRecordsWithTheirStrings() {
        var answer = resolver.txt("only-txt.test");
        assertThat(answer).isInstanceOf(DnsAnswer.Found.class);
        assertThat(answer.records()).containsExactly(TxtRecord.of("v=spf1 -all"));
        assertThat(((DnsAnswer.Found<TxtRecord>) answer).authenticated()).isFalse();
        assertThat(resolver.txt("multi.test").records().get(0).strings()).containsExactly("part one ", "part two");
        assertThat(resolver.txt("MULTI.test.").records().get(0).text()).isEqualTo("part one part two");
    }

    @Test
    void addressesMxAndPtr() throws Exception {
        assertThat(resolver.a("host.test").records()).containsExactly(InetAddress.getByName("192.0.2.1"));
        assertThat(resolver.aaaa("host.test").records()).containsExactly(InetAddress.getByName("2001:db8::1"));
        assertThat(resolver.mx("mx.test").records()).containsExactlyInAnyOrder(new MxRecord(10, "mail.mx.test"),
                new MxRecord(20, "backup.mx.test"));
        assertThat(resolver.ptr(InetAddress.getByName("192.0.2.9")).records()).containsExactly("named.ptr.test");
        assertThat(resolver.ptr(InetAddress.getByName("192.0.2.1")).records()).containsExactly("host.test");
        assertThat(resolver.ptr(InetAddress.getByName("2001:db8::1")).records()).containsExactly("host.test");
        var found = (DnsAnswer.Found<InetAddress>) resolver.a("host.test");
        assertThat(found.ttl()).isEqualTo(Duration.ofSeconds(300));
    }

    @Test
    void cnameIsFollowed() throws Exception {
        assertThat(resolver.a("alias.test").records()).containsExactly(InetAddress.getByName("192.0.2.1"));
    }

    @Test
    void truncatedAnswerIsAskedAgainOverTcp() {
        var answer = resolver.txt("big.test");
        assertThat(answer).isInstanceOf(DnsAnswer.Found.class);
        assertThat(answer.records().get(0).text()).hasSize(7 * 250);
    }

    @Test
    void noSuchNameAndNoDataAreToldApart() {
        var nx = resolver.a("nothere.test");
        assertThat(nx).isEqualTo(new DnsAnswer.NotFound<>(DnsAnswer.NotFound.Kind.NO_SUCH_NAME, Duration.ZERO, false));
        var nodata = resolver.a("only-txt.test");
        assertThat(nodata).isInstanceOf(DnsAnswer.NotFound.class);
        assertThat(((DnsAnswer.NotFound<?>) nodata).kind()).isEqualTo(DnsAnswer.NotFound.Kind.NO_DATA);
        assertThat(resolver.mx("host.test")).isInstanceOf(DnsAnswer.NotFound.class);
    }

    @Test
    void aNameThatCannotExistIsNotAsked() {
        assertThat(resolver.a("a..b.test")).isInstanceOf(DnsAnswer.NotFound.class);
        assertThat(resolver.a("x".repeat(64) + ".test")).isInstanceOf(DnsAnswer.NotFound.class);
    }

    @Test
    void aRefusingServerIsATempFailNamingIt() {
        var answer = resolver.a("refused.invalid");
        assertThat(answer).isInstanceOf(DnsAnswer.TempFail.class);
        var t = (DnsAnswer.TempFail<?>) answer;
        assertThat(t.cause()).isEqualTo(DnsAnswer.TempFail.Cause.REFUSED);
        assertThat(t.reason()).isEqualTo("127.0.0.1:" + dnsmasq.port() + " refused the A query for refused.invalid (REFUSED)");
    }

    @Test
    void aSilentServerIsATimeoutNamingIt() {
        var quiet = DnsjavaResolver.builder().server("127.0.0.1:" + silent.getLocalPort()).timeout(Duration.ofMillis(300))
                .tries(2).build();
        long start = System.nanoTime();
        var answer = quiet.txt("example.test");
        long ms = (System.nanoTime() - start) / 1_000_000;
        var t = (DnsAnswer.TempFail<?>) answer;
        assertThat(t.cause()).isEqualTo(DnsAnswer.TempFail.Cause.TIMEOUT);
        assertThat(t.reason()).isEqualTo("127.0.0.1:" + silent.getLocalPort()
                + " did not answer the TXT query for example.test within 300 ms (2 tries)");
        assertThat(ms).isBetween(550L, 5000L);
    }

    @Test
    void aPortWhereNothingListensIsRefused() {
        int port = Dnsmasq.freePortQuietly();
        var none = DnsjavaResolver.builder().server("127.0.0.1:" + port).timeout(Duration.ofMillis(500)).build();
        var t = (DnsAnswer.TempFail<?>) none.a("example.test");
        assertThat(t.reason()).contains("127.0.0.1:" + port);
        assertThat(t.cause()).isIn(DnsAnswer.TempFail.Cause.REFUSED, DnsAnswer.TempFail.Cause.TIMEOUT);
    }

    @Test
    void aServerWhoseUpstreamIsSilentIsATempFail() {
        var answer = resolver.a("www.slow.test");
        assertThat(answer).isInstanceOf(DnsAnswer.TempFail.class);
        assertThat(((DnsAnswer.TempFail<?>) answer).reason()).contains("127.0.0.1:" + dnsmasq.port());
    }

    @Test
    void serverAddressesAreParsedWithMessagesForTheUser() {
        assertThat(DnsjavaResolver.builder().server("127.0.0.1:5353").build().servers()).containsExactly("127.0.0.1:5353");
        assertThat(DnsjavaResolver.builder().server("[::1]:5353").build().servers()).containsExactly("[0:0:0:0:0:0:0:1]:5353");
        assertThat(DnsjavaResolver.builder().server("::1").build().servers()).containsExactly("[0:0:0:0:0:0:0:1]:53");
        assertThat(DnsjavaResolver.builder().server("127.0.0.2").build().servers()).containsExactly("127.0.0.2:53");
        assertThatThrownBy(() -> DnsjavaResolver.builder().server("127.0.0.1:x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("DNS server 127.0.0.1:x: the port must be a number from 1 to 65535");
        assertThatThrownBy(() -> DnsjavaResolver.builder().server(":53")).hasMessageContaining("no host given");
    }

    @Test
    void spfThroughTheRealServerAndTheCache() throws Exception {
        var cache = new CachingResolver(resolver);
        var spf = new Spf(cache);
        var pass = spf.checkMailFrom(InetAddress.getByName("192.0.2.1"), "kate@spf.test", "mail.example.test");
        assertThat(pass.result()).isEqualTo(SpfResult.PASS);
        assertThat(pass.reason()).isEqualTo("192.0.2.1 matched a:host.test in the SPF record of spf.test");
        assertThat(spf.checkMailFrom(InetAddress.getByName("192.0.2.25"), "kate@spf.test", "x.test").result())
                .isEqualTo(SpfResult.PASS);
        var included = spf.checkMailFrom(InetAddress.getByName("198.51.100.7"), "kate@spf.test", "x.test");
        assertThat(included.result()).isEqualTo(SpfResult.PASS);
        assertThat(included.mechanism()).isEqualTo("include:inc.spf.test");
        var fail = spf.checkMailFrom(InetAddress.getByName("203.0.113.1"), "kate@spf.test", "x.test");
        assertThat(fail.result()).isEqualTo(SpfResult.FAIL);
        assertThat(fail.mechanism()).isEqualTo("-all");
        assertThat(cache.stats().hits()).isPositive();
        var temp = spf.checkMailFrom(InetAddress.getByName("203.0.113.1"), "kate@slowspf.test", "x.test");
        assertThat(temp.result()).isEqualTo(SpfResult.TEMPERROR);
        assertThat(temp.reason()).startsWith("include:slow.test in the SPF record of slowspf.test: the TXT lookup for slow.test failed: ")
                .contains("127.0.0.1:" + dnsmasq.port());
        var none = spf.checkMailFrom(InetAddress.getByName("192.0.2.1"), "kate@nothere.test", "x.test");
        assertThat(none.result()).isEqualTo(SpfResult.NONE);
        assertThat(none.reason()).isEqualTo("nothere.test does not exist (NXDOMAIN), so it has no SPF record");
    }
}
