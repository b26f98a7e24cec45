package dev.mailflow.auth.spf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.dns.Zone;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Identities, reasons, explanations and limits, on small zones of our own. */
class SpfTest {

    private final Zone zone = Zone.builder()
            .txt("contoso.test", "v=spf1 ip4:192.0.2.0/24 include:_spf.partner.test -all exp=why.contoso.test")
            .txt("why.contoso.test", "%{i} may not send for %{d} (asked by %{r} at %{t})")
            .txt("_spf.partner.test", "v=spf1 a:out.partner.test ~all")
            .a("out.partner.test", "198.51.100.5")
            .txt("mail.contoso.test", "v=spf1 a -all")
            .a("mail.contoso.test", "192.0.2.99")
            .txt("soft.test", "v=spf1 ptr ~all")
            .servfail("199.2.0.192.in-addr.arpa")
            .txt("broken.test", "v=spf1 ip4:192.0.2.300 -all")
            .txt("hangs.test", "v=spf1 exists:dead.hangs.test -all")
            .timeout("dead.hangs.test")
            .txt("slow.test", "v=spf1 a:one.slow.test a:two.slow.test -all")
            .build();

    private final Spf spf = new Spf(zone).withReceiver("mx.example.test");

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void passWithTheTermAndRecordNamed() throws Exception {
        var o = spf.checkMailFrom(ip("192.0.2.10"), "chris@contoso.test", "mail.contoso.test");
        assertThat(o.result()).isEqualTo(SpfResult.PASS);
        assertThat(o.domain()).isEqualTo("contoso.test");
        assertThat(o.mechanism()).isEqualTo("ip4:192.0.2.0/24");
        assertThat(o.record()).startsWith("v=spf1 ip4:192.0.2.0/24");
        assertThat(o.reason()).isEqualTo("192.0.2.10 matched ip4:192.0.2.0/24 in the SPF record of contoso.test");
        assertThat(o.explanation()).isEmpty();
        assertThat(o.dnsLookups()).isZero();
    }

    @Test
    void includedPassAndIncludedSoftfail() throws Exception {
        var o = spf.checkMailFrom(ip("198.51.100.5"), "<chris@contoso.test>", "x");
        assertThat(o.result()).isEqualTo(SpfResult.PASS);
        assertThat(o.mechanism()).isEqualTo("include:_spf.partner.test");
        assertThat(o.dnsLookups()).isEqualTo(2);
        assertThat(o.trace()).contains("include:_spf.partner.test: _spf.partner.test gave pass (match)");
    }

    @Test
    void failWithTheDomainsExplanationFetchedOnceAfterTheResult() throws Exception {
        var now = Instant.parse("2026-12-01T10:00:00Z");
        var s = spf.withClock(InstantSource.fixed(now), Spf.DEFAULT_TIME_LIMIT);
        zone.clearQueries();
        var o = s.checkMailFrom(ip("203.0.113.9"), "chris@contoso.test", "x");
        assertThat(o.result()).isEqualTo(SpfResult.FAIL);
        assertThat(o.mechanism()).isEqualTo("-all");
        assertThat(o.explanation()).contains("203.0.113.9 may not send for contoso.test (asked by mx.example.test at "
                + now.getEpochSecond() + ")");
        assertThat(zone.queries()).containsExactly("contoso.test TXT", "_spf.partner.test TXT", "out.partner.test A",
                "why.contoso.test TXT");
    }

    @Test
    void nullSenderChecksTheHeloIdentity() throws Exception {
        var o = spf.checkMailFrom(ip("192.0.2.99"), "<>", "mail.contoso.test");
        assertThat(o.result()).isEqualTo(SpfResult.PASS);
        assertThat(o.domain()).isEqualTo("mail.contoso.test");
        assertThat(spf.checkMailFrom(ip("192.0.2.98"), "", "mail.contoso.test").result()).isEqualTo(SpfResult.FAIL);
        assertThat(spf.checkHelo(ip("192.0.2.99"), "mail.contoso.test").result()).isEqualTo(SpfResult.PASS);
        assertThat(spf.checkHelo(ip("192.0.2.99"), "[192.0.2.99]").result()).isEqualTo(SpfResult.NONE);
    }

    @Test
    void aPtrLookupErrorIsNoMatchNotAnError() throws Exception {
        var o = spf.checkMailFrom(ip("192.0.2.199"), "a@soft.test", "x");
        assertThat(o.result()).isEqualTo(SpfResult.SOFTFAIL);
        assertThat(o.trace()).anyMatch(l -> l.startsWith("PTR lookup for 192.0.2.199 failed (the names are skipped)"));
    }

    @Test
    void errorsSayWhatWentWrong() throws Exception {
        var perm = spf.checkMailFrom(ip("192.0.2.1"), "a@broken.test", "x");
        assertThat(perm.result()).isEqualTo(SpfResult.PERMERROR);
        assertThat(perm.reason()).isEqualTo("the SPF record of broken.test has an error: \"ip4:192.0.2.300\": 192.0.2.300 "
                + "is not an IPv4 address");
        var temp = spf.checkMailFrom(ip("192.0.2.1"), "a@hangs.test", "x");
        assertThat(temp.result()).isEqualTo(SpfResult.TEMPERROR);
        assertThat(temp.reason()).isEqualTo("the A lookup for dead.hangs.test (exists:dead.hangs.test in the SPF record of "
                + "hangs.test) failed: the zone did not answer the A query for dead.hangs.test (timeout)");
        var none = spf.checkMailFrom(ip("192.0.2.1"), "a@nowhere.test", "x");
        assertThat(none.result()).isEqualTo(SpfResult.NONE);
        assertThat(none.reason()).isEqualTo("nowhere.test does not exist (NXDOMAIN), so it has no SPF record");
    }

    @Test
    void voidLookupsAreCounted() throws Exception {
        var o = spf.checkMailFrom(ip("192.0.2.1"), "a@slow.test", "x");
        assertThat(o.result()).isEqualTo(SpfResult.FAIL);
        assertThat(o.voidLookups()).isEqualTo(2);
        assertThat(o.dnsLookups()).isEqualTo(2);
    }

    @Test
    void theWholeCheckHasATimeLimit() throws Exception {
        var now = new AtomicReference<>(Instant.parse("2026-12-01T10:00:00Z"));
        InstantSource clock = () -> now.getAndUpdate(t -> t.plusSeconds(15));
        var o = spf.withClock(clock, Duration.ofSeconds(20)).checkMailFrom(ip("203.0.113.9"), "a@contoso.test", "x");
        assertThat(o.result()).isEqualTo(SpfResult.TEMPERROR);
        assertThat(o.reason()).endsWith("the SPF check took longer than its time limit (RFC 7208 4.6.4)");
    }

    @Test
    void anIpv4MappedClientIsAnIpv4Client() throws Exception {
        var mapped = InetAddress.getByAddress(Addresses.parseIp6("::ffff:192.0.2.10").get());
        assertThat(spf.checkMailFrom(mapped, "a@contoso.test", "x").result()).isEqualTo(SpfResult.PASS);
    }
}
