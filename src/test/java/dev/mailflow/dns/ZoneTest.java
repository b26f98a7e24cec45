package dev.mailflow.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ZoneTest {

    private final Zone zone = Zone.builder()
            .a("mail.example.test", "192.0.2.1")
            .aaaa("mail.example.test", "2001:db8::1")
            .mx("example.test", 10, "mail.example.test")
            .mx("null.example.test", 0, ".")
            .txt("example.test", "v=spf1 ", "mx -all")
            .txt("deep.below.sub.example.test", "x")
            .ptr("192.0.2.1", "mail.example.test.")
            .cname("www.example.test", "mail.example.test")
            .cname("loop1.example.test", "loop2.example.test")
            .cname("loop2.example.test", "loop1.example.test")
            .txt("hangs.example.test", "v=spf1 -all")
            .timeout("hangs.example.test")
            .servfail("broken.example.test")
            .signed("example.test")
            .build();

    @Test
    void recordsOfEachType() throws Exception {
        assertThat(zone.a("MAIL.example.test.").records()).containsExactly(InetAddress.getByName("192.0.2.1"));
        assertThat(zone.aaaa("mail.example.test").records()).containsExactly(InetAddress.getByName("2001:db8::1"));
        assertThat(zone.mx("example.test").records()).containsExactly(new MxRecord(10, "mail.example.test"));
        assertThat(zone.mx("null.example.test").records().get(0).isRoot()).isTrue();
        assertThat(zone.txt("example.test").records().get(0).text()).isEqualTo("v=spf1 mx -all");
        assertThat(zone.ptr(InetAddress.getByName("192.0.2.1")).records()).containsExactly("mail.example.test");
        var found = (DnsAnswer.Found<TxtRecord>) zone.txt("example.test");
        assertThat(found.ttl()).isEqualTo(Duration.ofSeconds(300));
        assertThat(found.authenticated()).isTrue();
        assertThat(((DnsAnswer.Found<?>) zone.a("mail.example.test")).authenticated()).isFalse();
    }

    @Test
    void noSuchNameNoDataAndEmptyNonTerminals() {
        assertThat(kind(zone.a("nothere.example.test"))).isEqualTo(DnsAnswer.NotFound.Kind.NO_SUCH_NAME);
        assertThat(kind(zone.a("example.test"))).isEqualTo(DnsAnswer.NotFound.Kind.NO_DATA);
        assertThat(kind(zone.txt("below.sub.example.test"))).isEqualTo(DnsAnswer.NotFound.Kind.NO_DATA);
        assertThat(kind(zone.a("a..b"))).isEqualTo(DnsAnswer.NotFound.Kind.NO_SUCH_NAME);
    }

    @Test
    void cnamesAreFollowedAndLoopsFail() throws Exception {
        assertThat(zone.a("www.example.test").records()).containsExactly(InetAddress.getByName("192.0.2.1"));
        var loop = zone.a("loop1.example.test");
        assertThat(loop).isInstanceOf(DnsAnswer.TempFail.class);
        assertThat(((DnsAnswer.TempFail<?>) loop).cause()).isEqualTo(DnsAnswer.TempFail.Cause.SERVFAIL);
    }

    @Test
    void timeoutAndServfailMarkers() {
        assertThat(zone.txt("hangs.example.test")).isInstanceOf(DnsAnswer.Found.class);
        var t = (DnsAnswer.TempFail<?>) zone.a("hangs.example.test");
        assertThat(t.cause()).isEqualTo(DnsAnswer.TempFail.Cause.TIMEOUT);
        assertThat(t.reason()).isEqualTo("the zone did not answer the A query for hangs.example.test (timeout)");
        assertThat(((DnsAnswer.TempFail<?>) zone.txt("broken.example.test")).cause())
                .isEqualTo(DnsAnswer.TempFail.Cause.SERVFAIL);
    }

    @Test
    void questionsAreRecorded() {
        zone.clearQueries();
        zone.txt("example.test");
        zone.mx("Example.test");
        assertThat(zone.queries()).containsExactly("example.test TXT", "Example.test MX");
    }

    @Test
    void aCnameQuestionGetsTheAliasAndAChainIsSignedOnlyWhenEveryHopIs() {
        var zone = Zone.builder().cname("alias.test", "host.test").a("host.test", "192.0.2.1").signed("host.test")
                .cname("signed-alias.test", "host.test").signed("signed-alias.test").build();
        var alias = zone.lookup("alias.test", RecordType.CNAME);
        assertThat(alias.records()).containsExactly("host.test");
        assertThat(((DnsAnswer.Found<String>) alias).authenticated()).isFalse();
        assertThat(((DnsAnswer.Found<InetAddress>) zone.a("alias.test")).authenticated()).isFalse();
        assertThat(((DnsAnswer.Found<InetAddress>) zone.a("signed-alias.test")).authenticated()).isTrue();
        assertThat(((DnsAnswer.Found<String>) zone.lookup("signed-alias.test", RecordType.CNAME)).authenticated())
                .isTrue();
        assertThat(kind(zone.lookup("host.test", RecordType.CNAME))).isEqualTo(DnsAnswer.NotFound.Kind.NO_DATA);
    }

    private static DnsAnswer.NotFound.Kind kind(DnsAnswer<?> answer) {
        assertThat(answer).isInstanceOf(DnsAnswer.NotFound.class);
        return ((DnsAnswer.NotFound<?>) answer).kind();
    }
}
