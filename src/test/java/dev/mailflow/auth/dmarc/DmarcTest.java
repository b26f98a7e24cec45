package dev.mailflow.auth.dmarc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.auth.dkim.DkimReason;
import dev.mailflow.auth.dkim.DkimResult;
import dev.mailflow.auth.dkim.DkimStatus;
import dev.mailflow.auth.dkim.DkimVerification;
import dev.mailflow.auth.spf.SpfOutcome;
import dev.mailflow.auth.spf.SpfResult;
import dev.mailflow.dns.Zone;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * DMARC (RFC 9989) on in-memory zones: each tag, the tree walk (record at the From domain, at
 * the Organizational Domain, psd=y, the query limit), np= for a non-existent subdomain,
 * strict and relaxed alignment, DKIM-only and SPF-only passes, temperror, several records,
 * malformed records, and the From field rules. The worked examples of RFC 9989 Appendix B.4
 * are tables here (their zones and outcomes are facts of the RFC).
 */
class DmarcTest {

    static byte[] from(String fromValue) {
        return ("From: " + fromValue + "\r\nTo: you@example.net\r\nSubject: hi\r\n\r\nbody\r\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    static SpfOutcome spf(SpfResult r, String domain) {
        return new SpfOutcome(r, domain, "test", Optional.empty(), "", "", List.of(), 0, 0);
    }

    static DkimVerification dkim(String... passingDomains) {
        return new DkimVerification(java.util.Arrays.stream(passingDomains)
                .map(d -> new DkimResult(DkimStatus.PASS, DkimReason.VERIFIED, "ok", d, "s", "ed25519-sha256", "@" + d,
                        "abc", false))
                .toList(), 0);
    }

    static final DkimVerification NO_DKIM = new DkimVerification(List.of(), 0);
    static final SpfOutcome SPF_FAIL = spf(SpfResult.FAIL, "elsewhere.example");

    static DmarcOutcome eval(Zone zone, String from, SpfOutcome spf, DkimVerification dkim) {
        return new Dmarc(zone).evaluate(from(from), spf, dkim);
    }

    @Test
    void recordAtTheFromDomainWithAnAlignedDkimPass() {
        Zone z = Zone.builder().txt("_dmarc.example.com", "v=DMARC1; p=reject; rua=mailto:d@example.com").build();
        DmarcOutcome o = eval(z, "Kate <kate@example.com>", SPF_FAIL, dkim("example.com"));
        assertThat(o.result()).isEqualTo(DmarcResult.PASS);
        assertThat(o.dkimAligned()).isTrue();
        assertThat(o.spfAligned()).isFalse();
        assertThat(o.policy()).isEqualTo(DmarcPolicy.REJECT);
        assertThat(o.disposition()).isEqualTo(DmarcPolicy.NONE);
        assertThat(o.policyDomain()).isEqualTo("example.com");
        assertThat(o.parsedRecord().orElseThrow().rua()).extracting(Object::toString).containsExactly("mailto:d@example.com");
    }

    @Test
    void failWithPolicyReject() {
        Zone z = Zone.builder().txt("_dmarc.example.com", "v=DMARC1; p=reject").build();
        DmarcOutcome o = eval(z, "kate@example.com", SPF_FAIL, dkim("other.example"));
        assertThat(o.result()).isEqualTo(DmarcResult.FAIL);
        assertThat(o.disposition()).isEqualTo(DmarcPolicy.REJECT);
        assertThat(o.reason()).contains("neither SPF nor DKIM").contains("p=reject");
    }

    @Test
    void spfOnlyPassAligns() {
        Zone z = Zone.builder().txt("_dmarc.example.com", "v=DMARC1; p=quarantine").build();
        DmarcOutcome o = eval(z, "kate@example.com", spf(SpfResult.PASS, "bounce.example.com"), NO_DKIM);
        assertThat(o.result()).isEqualTo(DmarcResult.PASS);
        assertThat(o.spfAligned()).isTrue();
        assertThat(o.dkimAligned()).isFalse();
        // SPF softfail or neutral never aligns.
        assertThat(eval(z, "kate@example.com", spf(SpfResult.SOFTFAIL, "example.com"), NO_DKIM).result())
                .isEqualTo(DmarcResult.FAIL);
    }

    @Test
    void strictAlignmentNeedsTheSameDomain() {
        Zone z = Zone.builder().txt("_dmarc.example.com", "v=DMARC1; p=reject; adkim=s; aspf=s").build();
        assertThat(eval(z, "kate@example.com", spf(SpfResult.PASS, "bounce.example.com"), dkim("mail.example.com"))
                .result()).isEqualTo(DmarcResult.FAIL);
        assertThat(eval(z, "kate@example.com", spf(SpfResult.PASS, "EXAMPLE.com"), NO_DKIM).result())
                .isEqualTo(DmarcResult.PASS);
        // adkim=s alone: SPF may still align relaxed.
        Zone z2 = Zone.builder().txt("_dmarc.example.com", "v=DMARC1; p=reject; adkim=s").build();
        DmarcOutcome o = eval(z2, "kate@example.com", spf(SpfResult.PASS, "bounce.example.com"), dkim("mail.example.com"));
        assertThat(o.result()).isEqualTo(DmarcResult.PASS);
        assertThat(o.spfAligned()).isTrue();
        assertThat(o.dkimAligned()).isFalse();
    }

    @Test
    void relaxedAlignmentUsesTheOrganizationalDomainNotTheLastTwoLabels() {
        // No record at example.com's parent: the Organizational Domain of both is example.com.
        Zone z = Zone.builder().txt("_dmarc.example.com", "v=DMARC1; p=reject").build();
        assertThat(eval(z, "kate@news.example.com", NO_SPF(), dkim("foo.example.com")).result())
                .isEqualTo(DmarcResult.PASS);
        assertThat(eval(z, "kate@news.example.com", NO_SPF(), dkim("foo.example.net")).result())
                .isEqualTo(DmarcResult.FAIL);
    }

    static SpfOutcome NO_SPF() {
        return spf(SpfResult.NONE, "x.example");
    }

    @Test
    void recordAtTheOrganizationalDomainGivesSpForASubdomain() {
        Zone z = Zone.builder().txt("_dmarc.example.com", "v=DMARC1; p=none; sp=quarantine")
                .a("news.example.com", "192.0.2.1").build();
        DmarcOutcome o = eval(z, "kate@news.example.com", SPF_FAIL, NO_DKIM);
        assertThat(o.result()).isEqualTo(DmarcResult.FAIL);
        assertThat(o.policyDomain()).isEqualTo("example.com");
        assertThat(o.orgDomain()).isEqualTo("example.com");
        assertThat(o.policy()).isEqualTo(DmarcPolicy.QUARANTINE);
        assertThat(z.queries()).startsWith("_dmarc.news.example.com TXT", "_dmarc.example.com TXT", "_dmarc.com TXT");
    }

    @Test
    void npAppliesToANonExistentSubdomainOnly() {
        Zone z = Zone.builder().txt("_dmarc.example.com", "v=DMARC1; p=none; sp=quarantine; np=reject")
                .a("real.example.com", "192.0.2.1").mx("mail.example.com", 10, "mx.example.com").build();
        DmarcOutcome ghost = eval(z, "kate@ghost.example.com", SPF_FAIL, NO_DKIM);
        assertThat(ghost.policy()).isEqualTo(DmarcPolicy.REJECT);
        assertThat(ghost.trace()).anyMatch(l -> l.contains("does not exist (NXDOMAIN): np= applies"));
        assertThat(eval(z, "kate@real.example.com", SPF_FAIL, NO_DKIM).policy()).isEqualTo(DmarcPolicy.QUARANTINE);
        // MX only (A and AAAA are NODATA): it exists.
        assertThat(eval(z, "kate@mail.example.com", SPF_FAIL, NO_DKIM).policy()).isEqualTo(DmarcPolicy.QUARANTINE);
        // np= never applies to the domain of the record itself.
        assertThat(eval(z, "kate@example.com", SPF_FAIL, NO_DKIM).policy()).isEqualTo(DmarcPolicy.NONE);
        // Without sp=, an existing subdomain gets p=.
        Zone z2 = Zone.builder().txt("_dmarc.example.com", "v=DMARC1; p=quarantine; np=reject")
                .a("real.example.com", "192.0.2.1").build();
        assertThat(eval(z2, "kate@real.example.com", SPF_FAIL, NO_DKIM).policy()).isEqualTo(DmarcPolicy.QUARANTINE);
    }

    @Test
    void existenceUnknownForAFailIsTemperror() {
        Zone z = Zone.builder().txt("_dmarc.example.com", "v=DMARC1; p=none; np=reject").servfail("sub.example.com")
                .build();
        assertThat(eval(z, "kate@sub.example.com", SPF_FAIL, NO_DKIM).result()).isEqualTo(DmarcResult.TEMPERROR);
        // A pass does not need it.
        Zone z2 = Zone.builder().txt("_dmarc.example.com", "v=DMARC1; p=none; np=reject")
                .timeout("x.example.com").txt("_dmarc.x.example.com", "not dmarc").build();
        assertThat(eval(z2, "kate@x.example.com", SPF_FAIL, dkim("example.com")).result()).isEqualTo(DmarcResult.PASS);
    }

    @Test
    void testingModeLowersTheDispositionOneLevel() {
        Zone z = Zone.builder().txt("_dmarc.r.example", "v=DMARC1; p=reject; t=y")
                .txt("_dmarc.q.example", "v=DMARC1; p=quarantine; t=y").build();
        DmarcOutcome r = eval(z, "a@r.example", SPF_FAIL, NO_DKIM);
        assertThat(r.testing()).isTrue();
        assertThat(r.policy()).isEqualTo(DmarcPolicy.REJECT);
        assertThat(r.disposition()).isEqualTo(DmarcPolicy.QUARANTINE);
        assertThat(eval(z, "a@q.example", SPF_FAIL, NO_DKIM).disposition()).isEqualTo(DmarcPolicy.NONE);
    }

    @Test
    void noRecordAnywhereIsNoneAfterAtMostEightQueries() {
        Zone z = Zone.builder().build();
        DmarcOutcome o = eval(z, "kate@a.b.c.d.e.f.g.h.i.j.mail.example.com", SPF_FAIL, NO_DKIM);
        assertThat(o.result()).isEqualTo(DmarcResult.NONE);
        // RFC 9989 4.10's own example of the eight queries.
        assertThat(z.queries()).containsExactly("_dmarc.a.b.c.d.e.f.g.h.i.j.mail.example.com TXT",
                "_dmarc.g.h.i.j.mail.example.com TXT", "_dmarc.h.i.j.mail.example.com TXT",
                "_dmarc.i.j.mail.example.com TXT", "_dmarc.j.mail.example.com TXT", "_dmarc.mail.example.com TXT",
                "_dmarc.example.com TXT", "_dmarc.com TXT");
    }

    @Test
    void rfc9989AppendixB42DeepTreeWalk() {
        Zone z = Zone.builder().txt("_dmarc.example.com", "v=DMARC1; p=reject")
                .txt("_dmarc.signing.example.com", "v=DMARC1; p=none").a("a.b.c.d.e.f.g.h.i.j.k.example.com", "192.0.2.9")
                .build();
        DmarcOutcome o = eval(z, "x@a.b.c.d.e.f.g.h.i.j.k.example.com", spf(SpfResult.PASS, "example.com"),
                dkim("signing.example.com"));
        assertThat(o.result()).isEqualTo(DmarcResult.PASS);
        assertThat(o.spfAligned()).isTrue();
        assertThat(o.dkimAligned()).isTrue();
        assertThat(o.orgDomain()).isEqualTo("example.com");
        assertThat(o.policyDomain()).isEqualTo("example.com");
        assertThat(z.queries()).startsWith("_dmarc.a.b.c.d.e.f.g.h.i.j.k.example.com TXT",
                "_dmarc.g.h.i.j.k.example.com TXT");
    }

    @Test
    void rfc9989AppendixB43PublicSuffixDomain() {
        Zone z = Zone.builder().txt("_dmarc.bank.example", "v=DMARC1; p=reject; psd=y")
                .txt("_dmarc.giant.bank.example", "v=DMARC1; p=quarantine").build();
        // SPF for mail.giant.bank.example aligns (same Organizational Domain, giant.bank.example).
        DmarcOutcome o = eval(z, "ceo@giant.bank.example", spf(SpfResult.PASS, "mail.giant.bank.example"),
                dkim("mail.mega.bank.example"));
        assertThat(o.result()).isEqualTo(DmarcResult.PASS);
        assertThat(o.spfAligned()).isTrue();
        assertThat(o.dkimAligned()).isFalse(); // mega.bank.example is another organization
        assertThat(o.orgDomain()).isEqualTo("giant.bank.example");
        assertThat(o.policyDomain()).isEqualTo("giant.bank.example");
        // DKIM alone for a sibling under the PSD does not align.
        DmarcOutcome sibling = eval(z, "ceo@giant.bank.example", SPF_FAIL, dkim("mega.bank.example"));
        assertThat(sibling.result()).isEqualTo(DmarcResult.FAIL);
        assertThat(sibling.policy()).isEqualTo(DmarcPolicy.QUARANTINE);
    }

    @Test
    void thePsdPolicyAppliesWhenTheOrganizationPublishesNone() {
        Zone z = Zone.builder().txt("_dmarc.bank.example", "v=DMARC1; p=reject; sp=quarantine; np=reject; psd=y")
                .a("small.bank.example", "192.0.2.7").build();
        DmarcOutcome o = eval(z, "x@small.bank.example", SPF_FAIL, NO_DKIM);
        assertThat(o.result()).isEqualTo(DmarcResult.FAIL);
        assertThat(o.orgDomain()).isEqualTo("small.bank.example");
        assertThat(o.policyDomain()).isEqualTo("bank.example");
        assertThat(o.policy()).isEqualTo(DmarcPolicy.QUARANTINE);
    }

    @Test
    void psdNStopsTheWalkAndMakesTheOrganizationalDomain() {
        Zone z = Zone.builder().txt("_dmarc.mail.example.com", "v=DMARC1; p=reject; psd=n")
                .txt("_dmarc.example.com", "v=DMARC1; p=none").build();
        DmarcOutcome o = eval(z, "x@a.mail.example.com", SPF_FAIL, dkim("other.example.com"));
        assertThat(o.orgDomain()).isEqualTo("mail.example.com");
        assertThat(o.result()).isEqualTo(DmarcResult.FAIL); // example.com is not the same organization
        // The Author Domain's walk stops at psd=n; the next query is already the DKIM domain's walk.
        assertThat(z.queries().subList(0, 3)).containsExactly("_dmarc.a.mail.example.com TXT",
                "_dmarc.mail.example.com TXT", "_dmarc.other.example.com TXT");
    }

    @Test
    void temperrorNeverFail() {
        Zone z = Zone.builder().servfail("_dmarc.example.com").build();
        DmarcOutcome o = eval(z, "kate@example.com", SPF_FAIL, NO_DKIM);
        assertThat(o.result()).isEqualTo(DmarcResult.TEMPERROR);
        assertThat(o.disposition()).isEqualTo(DmarcPolicy.NONE);
        // A timeout while walking an authenticated domain's tree: temperror rather than fail.
        Zone z2 = Zone.builder().txt("_dmarc.example.com", "v=DMARC1; p=reject").timeout("_dmarc.mail.example.com")
                .build();
        assertThat(eval(z2, "kate@example.com", SPF_FAIL, dkim("mail.example.com")).result())
                .isEqualTo(DmarcResult.TEMPERROR);
        // ... but another aligned pass still passes.
        assertThat(eval(z2, "kate@example.com", spf(SpfResult.PASS, "example.com"), dkim("mail.example.com")).result())
                .isEqualTo(DmarcResult.PASS);
        // An SPF check that timed out might have passed: with nothing aligned, temperror, not fail
        // (a DNS outage must never turn into a 550 under p=reject).
        Zone z3 = Zone.builder().txt("_dmarc.example.com", "v=DMARC1; p=reject").build();
        DmarcOutcome unfinished = eval(z3, "kate@example.com", spf(SpfResult.TEMPERROR, "example.com"), NO_DKIM);
        assertThat(unfinished.result()).isEqualTo(DmarcResult.TEMPERROR);
        assertThat(unfinished.disposition()).isEqualTo(DmarcPolicy.NONE);
        assertThat(eval(z3, "kate@example.com", spf(SpfResult.FAIL, "example.com"), NO_DKIM).result())
                .isEqualTo(DmarcResult.FAIL);
    }

    @Test
    void severalDmarcRecordsAreAllDiscarded() {
        Zone z = Zone.builder().txt("_dmarc.sub.example.com", "v=DMARC1; p=none")
                .txt("_dmarc.sub.example.com", "v=DMARC1; p=reject")
                .txt("_dmarc.example.com", "v=DMARC1; p=quarantine").a("sub.example.com", "192.0.2.1").build();
        DmarcOutcome o = eval(z, "x@sub.example.com", SPF_FAIL, NO_DKIM);
        assertThat(o.policyDomain()).isEqualTo("example.com");
        assertThat(o.policy()).isEqualTo(DmarcPolicy.QUARANTINE);
        assertThat(o.trace()).anyMatch(l -> l.contains("2 DMARC records; all are discarded"));
        // Other TXT records beside one DMARC record do not matter.
        Zone z2 = Zone.builder().txt("_dmarc.example.com", "google-site-verification=x")
                .txt("_dmarc.example.com", "v=DMARC1; p=reject").build();
        assertThat(eval(z2, "x@example.com", SPF_FAIL, NO_DKIM).policy()).isEqualTo(DmarcPolicy.REJECT);
    }

    @Test
    void malformedRecords() {
        // v= not first, or not exactly DMARC1: not a DMARC record at all.
        assertThat(DmarcRecord.parse("p=reject; v=DMARC1")).isEmpty();
        assertThat(DmarcRecord.parse("v=dmarc1; p=reject")).isEmpty();
        assertThat(DmarcRecord.parse("v=DMARC2; p=reject")).isEmpty();
        Zone z = Zone.builder().txt("_dmarc.example.com", "p=reject; v=DMARC1").build();
        assertThat(eval(z, "x@example.com", SPF_FAIL, NO_DKIM).result()).isEqualTo(DmarcResult.NONE);
        // An invalid p= without rua=: permerror, no policy.
        Zone bad = Zone.builder().txt("_dmarc.example.com", "v=DMARC1; p=block").build();
        DmarcOutcome o = eval(bad, "x@example.com", SPF_FAIL, NO_DKIM);
        assertThat(o.result()).isEqualTo(DmarcResult.PERMERROR);
        assertThat(o.reason()).contains("p=block is not none, quarantine or reject");
        assertThat(o.disposition()).isEqualTo(DmarcPolicy.NONE);
        // With a valid rua=: as if p=none.
        Zone rua = Zone.builder().txt("_dmarc.example.com", "v=DMARC1; p=block; sp=x; rua=mailto:r@example.com").build();
        DmarcOutcome o2 = eval(rua, "x@example.com", SPF_FAIL, NO_DKIM);
        assertThat(o2.result()).isEqualTo(DmarcResult.FAIL);
        assertThat(o2.policy()).isEqualTo(DmarcPolicy.NONE);
    }

    @Test
    void eachTagParses() {
        DmarcRecord r = DmarcRecord.parse("v=DMARC1;p=Quarantine ; sp=reject;np=none; adkim=s; aspf=r; t=y; psd=n;"
                + " fo=1:d; rua=mailto:a@example.com!10m, https://r.example/x ,nota uri; ruf=mailto:f@example.com;"
                + " pct=50; rf=afrf; ri=3600; zz=1; p=none;").orElseThrow();
        assertThat(r.policy()).isEqualTo(DmarcPolicy.QUARANTINE);
        assertThat(r.subdomainPolicy()).isEqualTo(DmarcPolicy.REJECT);
        assertThat(r.nonExistentPolicy()).isEqualTo(DmarcPolicy.NONE);
        assertThat(r.strictDkim()).isTrue();
        assertThat(r.strictSpf()).isFalse();
        assertThat(r.testing()).isTrue();
        assertThat(r.psd()).isEqualTo('n');
        assertThat(r.failureOptions()).isEqualTo("1:d");
        assertThat(r.rua()).extracting(Object::toString).containsExactly("mailto:a@example.com", "https://r.example/x");
        assertThat(r.ruf()).extracting(Object::toString).containsExactly("mailto:f@example.com");
        assertThat(r.problems()).isEmpty();
        assertThat(r.notes()).anyMatch(n -> n.startsWith("pct= is not part of DMARC"))
                .anyMatch(n -> n.contains("unknown tag zz="))
                .anyMatch(n -> n.contains("second p="))
                .anyMatch(n -> n.contains("\"nota uri\" is not a URI"));
        // Defaults.
        DmarcRecord d = DmarcRecord.parse("v=DMARC1").orElseThrow();
        assertThat(d.policy()).isEqualTo(DmarcPolicy.NONE);
        assertThat(d.subdomainPolicy()).isNull();
        assertThat(d.strictDkim()).isFalse();
        assertThat(d.testing()).isFalse();
        assertThat(d.psd()).isEqualTo('u');
        assertThat(d.failureOptions()).isEqualTo("0");
        // Invalid values of the other tags fall back to their defaults.
        DmarcRecord f = DmarcRecord.parse("v = DMARC1; p=reject; adkim=x; t=maybe; psd=q; fo=7").orElseThrow();
        assertThat(f.strictDkim()).isFalse();
        assertThat(f.testing()).isFalse();
        assertThat(f.psd()).isEqualTo('u');
        assertThat(f.failureOptions()).isEqualTo("0");
        assertThat(f.usable()).isTrue();
    }

    @Test
    void theFromFieldRules() {
        Zone z = Zone.builder().txt("_dmarc.example.com", "v=DMARC1; p=reject")
                .txt("_dmarc.example.org", "v=DMARC1; p=none").build();
        assertThat(new Dmarc(z).evaluate("To: x@example.net\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII),
                SPF_FAIL, NO_DKIM).reason()).contains("no From header field");
        assertThat(eval(z, "undisclosed:;", SPF_FAIL, NO_DKIM).reason()).contains("holds no address");
        assertThat(eval(z, "kate", SPF_FAIL, NO_DKIM).reason()).contains("has no domain");
        assertThat(eval(z, "kate@[192.0.2.1]", SPF_FAIL, NO_DKIM).reason()).contains("is not a domain name");
        // Display names, comments and quoted local parts do not fool it.
        DmarcOutcome o = eval(z, "\"ceo@example.org\" (boss@example.org) <\"a@b\"@Example.COM.>", SPF_FAIL,
                dkim("example.com"));
        assertThat(o.fromDomain()).isEqualTo("example.com");
        assertThat(o.result()).isEqualTo(DmarcResult.PASS);
        // Two domains: each is evaluated and the strictest failure stands (RFC 9989 11.5).
        DmarcOutcome two = eval(z, "a@example.org, b@example.com", SPF_FAIL, dkim("example.org"));
        assertThat(two.result()).isEqualTo(DmarcResult.FAIL);
        assertThat(two.fromDomain()).isEqualTo("example.com");
        assertThat(two.disposition()).isEqualTo(DmarcPolicy.REJECT);
        // Two From fields count the same way.
        byte[] twoFields = "From: a@example.org\r\nFrom: b@example.com\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(new Dmarc(z).evaluate(twoFields, SPF_FAIL, dkim("example.org")).result()).isEqualTo(DmarcResult.FAIL);
        // An internationalized domain is looked up as its A-label.
        Zone idn = Zone.builder().txt("_dmarc.xn--bcher-kva.example", "v=DMARC1; p=reject").build();
        DmarcOutcome u = eval(idn, "k@bücher.example", SPF_FAIL, dkim("xn--bcher-kva.example"));
        assertThat(u.fromDomain()).isEqualTo("xn--bcher-kva.example");
        assertThat(u.result()).isEqualTo(DmarcResult.PASS);
    }
}
