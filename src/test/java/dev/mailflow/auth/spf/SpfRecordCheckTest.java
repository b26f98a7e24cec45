package dev.mailflow.auth.spf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.auth.spf.SpfRecordCheck.Level;
import dev.mailflow.dns.Zone;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The records step's SPF review (RFC 7208 4.5, 4.6, 4.6.4, 5.5) against zones. */
class SpfRecordCheckTest {

    private static SpfRecordCheck.Report check(Zone zone, String domain) {
        return new SpfRecordCheck(zone).check(domain);
    }

    private static List<String> texts(SpfRecordCheck.Report r, Level level) {
        return r.findings().stream().filter(f -> f.level() == level).map(SpfRecordCheck.Finding::text).toList();
    }

    @Test
    void aGoodRecordWithAnIncludeHasNoFindingsAndCountsItsLookups() {
        var z = Zone.builder().txt("contoso.test", "v=spf1 mx include:_spf.mail.test -all")
                .mx("contoso.test", 10, "mx.contoso.test").a("mx.contoso.test", "192.0.2.1")
                .txt("_spf.mail.test", "v=spf1 ip4:198.51.100.0/24 ~all").txt("contoso.test", "google-site-verification=x")
                .build();
        var r = check(z, "Contoso.TEST.");
        assertThat(r.findings()).isEmpty();
        assertThat(r.record()).isEqualTo("v=spf1 mx include:_spf.mail.test -all");
        assertThat(r.dnsLookups()).isEqualTo(2);
        assertThat(r.voidLookups()).isZero();
        assertThat(r.tree()).containsExactly("contoso.test -> v=spf1 mx include:_spf.mail.test -all",
                "  include:_spf.mail.test -> v=spf1 ip4:198.51.100.0/24 ~all");
    }

    @Test
    void aSyntaxErrorIsShownWithItsPosition() {
        var z = Zone.builder().txt("bad.test", "v=spf1 ip4:192.0.2.0/24 ip4:192.0.2.300 -all").build();
        var r = check(z, "bad.test");
        assertThat(r.hasErrors()).isTrue();
        assertThat(texts(r, Level.ERROR)).singleElement().asString()
                .contains("at position 25").contains("192.0.2.300 is not an IPv4 address").contains("permerror");
        var other = Zone.builder().txt("bad.test", "v=spf1  foo -all").build();
        assertThat(texts(check(other, "bad.test"), Level.ERROR)).singleElement().asString().contains("at position 9");
    }

    @Test
    void moreThanTenLookupsAndMoreThanTwoVoidLookupsArePermerrors() {
        var b = Zone.builder();
        var sb = new StringBuilder("v=spf1");
        for (int i = 1; i <= 6; i++) {
            sb.append(" include:i").append(i).append(".test");
            b.txt("i" + i + ".test", "v=spf1 a:h" + i + ".test -all").a("h" + i + ".test", "192.0.2." + i);
        }
        b.txt("many.test", sb.append(" -all").toString());
        var r = check(b.build(), "many.test");
        assertThat(r.dnsLookups()).isEqualTo(12);
        assertThat(texts(r, Level.ERROR)).anyMatch(t -> t.startsWith("12 terms that ask DNS"));
        var voids = Zone.builder().txt("void.test", "v=spf1 a:gone1.test a:gone2.test mx:gone3.test include:gone4.test -all")
                .build();
        var v = check(voids, "void.test");
        assertThat(v.voidLookups()).isEqualTo(4);
        assertThat(texts(v, Level.ERROR)).anyMatch(t -> t.startsWith("4 lookups that find nothing"))
                .anyMatch(t -> t.contains("include:gone4.test: gone4.test has no SPF record"));
    }

    @Test
    void plusAllQuestionAllAndPtrAreWarnings() {
        var z = Zone.builder().txt("open.test", "v=spf1 ptr +all").txt("soft.test", "v=spf1 a ?all")
                .a("soft.test", "192.0.2.1").txt("bare.test", "v=spf1 all").build();
        assertThat(texts(check(z, "open.test"), Level.WARNING)).hasSize(2)
                .anyMatch(t -> t.contains("ptr is slow, unreliable and deprecated (RFC 7208 5.5"))
                .anyMatch(t -> t.startsWith("+all") && t.contains("lets every address"));
        assertThat(texts(check(z, "soft.test"), Level.WARNING)).singleElement().asString().startsWith("?all");
        assertThat(texts(check(z, "bare.test"), Level.WARNING)).singleElement().asString().startsWith("all in");
    }

    @Test
    void noRecordTwoRecordsALoopAndADnsFailure() {
        var z = Zone.builder().a("none.test", "192.0.2.1").txt("two.test", "v=spf1 -all").txt("two.test", "v=spf1 ~all")
                .txt("loop.test", "v=spf1 include:loop2.test -all").txt("loop2.test", "v=spf1 redirect=loop.test")
                .txt("down.test", "v=spf1 include:dead.test -all").servfail("dead.test").build();
        assertThat(texts(check(z, "none.test"), Level.ERROR)).singleElement().asString()
                .contains("publishes no SPF record");
        assertThat(texts(check(z, "two.test"), Level.ERROR)).singleElement().asString()
                .contains("publishes 2 SPF records").contains("RFC 7208 4.5");
        assertThat(texts(check(z, "loop.test"), Level.ERROR)).anyMatch(t -> t.contains("a loop"));
        assertThat(texts(check(z, "down.test"), Level.ERROR)).singleElement().asString()
                .contains("could not be fetched").contains("SERVFAIL").contains("temperror");
    }

    @Test
    void macrosAreNotFollowedAndARecordWithoutAllIsNoted() {
        var z = Zone.builder().txt("macro.test", "v=spf1 exists:%{i}.bl.macro.test include:%{d2}.x.test").build();
        var r = check(z, "macro.test");
        assertThat(r.hasErrors()).isFalse();
        assertThat(r.dnsLookups()).isEqualTo(2);
        assertThat(texts(r, Level.NOTE)).anyMatch(t -> t.contains("has macros"))
                .anyMatch(t -> t.contains("ends without all"));
    }
}
