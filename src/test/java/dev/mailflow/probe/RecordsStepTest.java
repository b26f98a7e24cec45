package dev.mailflow.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.auth.dkim.DkimKeyGenerator;
import dev.mailflow.dns.Zone;
import java.security.KeyPairGenerator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The probe's RECORDS step (SPF, DMARC, DKIM selectors) against zones. */
class RecordsStepTest {

    private static String rsaRecord(int bits) throws Exception {
        var g = KeyPairGenerator.getInstance("RSA");
        g.initialize(bits);
        return DkimKeyGenerator.keyRecord(g.generateKeyPair().getPublic());
    }

    @Test
    void aWellConfiguredDomainPassesAndEveryDmarcTagIsExplained() throws Exception {
        var z = Zone.builder().txt("contoso.test", "v=spf1 ip4:192.0.2.0/24 -all")
                .txt("_dmarc.contoso.test", "v=DMARC1; p=reject; sp=quarantine; adkim=s; rua=mailto:dmarc@contoso.test")
                .txt("e2026._domainkey.contoso.test", DkimKeyGenerator.keyRecord(DkimKeyGenerator.ed25519().getPublic()))
                .txt("s2026._domainkey.contoso.test", DkimKeyGenerator.txtStrings(rsaRecord(2048)).toArray(String[]::new))
                .build();
        var r = RecordsStep.run(z, "contoso.test", List.of("e2026", "s2026"));
        assertThat(r.status()).as(r.reasons().toString()).isEqualTo("PASS");
        assertThat(r.meaning()).anyMatch(m -> m.startsWith("DMARC: p=reject: mail from this domain that fails DMARC "
                + "is to be refused")).anyMatch(m -> m.startsWith("DMARC: sp=quarantine"))
                .anyMatch(m -> m.startsWith("DMARC: adkim=s: DKIM d= must be exactly the From domain"))
                .anyMatch(m -> m.startsWith("DMARC: aspf=r: SPF's MAIL FROM domain may be the From domain"))
                .anyMatch(m -> m.startsWith("DMARC: rua=mailto:dmarc@contoso.test"))
                .contains("DKIM: e2026._domainkey.contoso.test: an Ed25519 key (RFC 8463), usable by verifiers "
                        + "(RFC 6376 3.6.1).")
                .contains("DKIM: s2026._domainkey.contoso.test: a 2048-bit RSA key (RFC 8301), usable by verifiers "
                        + "(RFC 6376 3.6.1).");
        @SuppressWarnings("unchecked")
        var dkim = (List<Map<String, Object>>) r.details().get("dkim");
        assertThat(dkim).extracting(k -> k.get("keyType")).containsExactly("ed25519", "rsa");
        assertThat(dkim.get(1).get("rsaBits")).isEqualTo(2048);
        @SuppressWarnings("unchecked")
        var dmarc = (Map<String, Object>) r.details().get("dmarc");
        assertThat(dmarc.get("policy")).isEqualTo("reject");
    }

    @Test
    void missingDmarcWeakShortTestingAndRevokedKeys() throws Exception {
        var z = Zone.builder().txt("fabrikam.test", "v=spf1 mx -all").mx("fabrikam.test", 10, "mx.fabrikam.test")
                .a("mx.fabrikam.test", "192.0.2.9")
                .txt("k1024._domainkey.fabrikam.test", rsaRecord(1024))
                .txt("k768._domainkey.fabrikam.test", rsaRecord(768))
                .txt("old._domainkey.fabrikam.test", "v=DKIM1; k=rsa; p=")
                .txt("test._domainkey.fabrikam.test", "v=DKIM1; k=ed25519; t=y; p="
                        + DkimKeyGenerator.keyRecord(DkimKeyGenerator.ed25519().getPublic()).replaceAll(".*p=", ""))
                .build();
        var r = RecordsStep.run(z, "fabrikam.test", List.of("k1024", "k768", "old", "test", "absent"));
        assertThat(r.status()).isEqualTo("FAIL");
        assertThat(r.reasons()).anyMatch(t -> t.startsWith("DMARC: fabrikam.test publishes no DMARC record"))
                .anyMatch(t -> t.contains("k1024._domainkey.fabrikam.test has 1024 bits") && t.contains("2048"))
                .anyMatch(t -> t.contains("key too short") && t.contains("768 bits"))
                .anyMatch(t -> t.contains("is revoked (empty p=)"))
                .anyMatch(t -> t.contains("test._domainkey.fabrikam.test says t=y"))
                .anyMatch(t -> t.startsWith("DKIM: no key at absent._domainkey.fabrikam.test"));
        @SuppressWarnings("unchecked")
        var dkim = (List<Map<String, Object>>) r.details().get("dkim");
        assertThat(dkim).extracting(k -> k.get("result")).containsExactly("warn", "fail", "fail", "warn", "fail");
    }

    @Test
    void aSubdomainFindsItsParentsPolicyAndPNoneIsAWarning() {
        var z = Zone.builder().txt("news.contoso.test", "v=spf1 -all")
                .txt("_dmarc.contoso.test", "v=DMARC1; p=none; pct=50; fo=1").build();
        var r = RecordsStep.run(z, "news.contoso.test", List.of());
        assertThat(r.status()).isEqualTo("WARN");
        assertThat(r.meaning()).anyMatch(m -> m.contains("the record of contoso.test applies to it"))
                .anyMatch(m -> m.contains("pct= is not part of DMARC since RFC 9989"))
                .anyMatch(m -> m.contains("no selector given"));
        assertThat(r.reasons()).anyMatch(t -> t.startsWith("DMARC: p=none asks receivers to do nothing"));
        assertThat(r.exchange()).contains("DMARC _dmarc.news.contoso.test: no DMARC record");
    }

    @Test
    void aBrokenDmarcRecordAndTwoRecordsFail() {
        var z = Zone.builder().txt("a.test", "v=spf1 -all").txt("_dmarc.a.test", "v=DMARC1; p=block; rua=https://x")
                .txt("c.test", "v=spf1 -all").txt("_dmarc.c.test", "v=DMARC1; p=block")
                .txt("b.test", "v=spf1 -all").txt("_dmarc.b.test", "v=DMARC1; p=none")
                .txt("_dmarc.b.test", "v=DMARC1; p=reject").build();
        var a = RecordsStep.run(z, "a.test", List.of());
        assertThat(a.status()).isEqualTo("WARN");
        assertThat(a.reasons()).anyMatch(t -> t.contains("p=block is not none, quarantine or reject"))
                .anyMatch(t -> t.contains("rua=https://x is not a mailto: address"));
        var c = RecordsStep.run(z, "c.test", List.of());
        assertThat(c.status()).isEqualTo("FAIL");
        assertThat(c.reasons()).anyMatch(t -> t.contains("there is no valid rua=: receivers cannot use the record"));
        var b = RecordsStep.run(z, "b.test", List.of());
        assertThat(b.status()).isEqualTo("FAIL");
        assertThat(b.reasons()).anyMatch(t -> t.contains("has 2 DMARC records"));
    }

    @Test
    void caaIsFoundByClimbingAndExplained() {
        var z = Zone.builder().caa("contoso.test", 0, "issue", "ca.example.net; account=42")
                .caa("contoso.test", 0, "issuewild", ";").caa("contoso.test", 0, "iodef", "mailto:caa@contoso.test")
                .caa("locked.test", 0, "issue", ";").caa("odd.test", 128, "tbs", "x").build();
        var sub = RecordsStep.run(z, "mail.contoso.test", List.of());
        assertThat(sub.meaning()).anyMatch(m -> m.startsWith("CAA (the record of contoso.test, found by climbing, RFC "
                + "8659 3): only ca.example.net may issue certificates for mail.contoso.test"))
                .anyMatch(m -> m.contains("wildcards: ;") && m.contains("reported to mailto:caa@contoso.test"));
        assertThat(sub.exchange()).contains("CAA contoso.test 0 issue \"ca.example.net; account=42\"");
        @SuppressWarnings("unchecked")
        var caa = (Map<String, Object>) sub.details().get("caa");
        assertThat(caa.get("name")).isEqualTo("contoso.test");
        assertThat(caa.get("issuers")).isEqualTo(List.of("ca.example.net"));
        assertThat(RecordsStep.run(z, "locked.test", List.of()).meaning())
                .anyMatch(m -> m.startsWith("CAA: no CA may issue certificates for locked.test (issue \";\")"));
        var odd = RecordsStep.run(z, "odd.test", List.of());
        assertThat(odd.reasons()).anyMatch(m -> m.startsWith("CAA: odd.test has the critical property tbs"));
        assertThat(RecordsStep.run(z, "none.test", List.of()).meaning())
                .contains("CAA: none at none.test or above: any CA may issue certificates for its names (RFC 8659); a "
                        + "CAA record limits that to the CAs you use.");
    }

    /** The same against a real DNS server on loopback: dnsmasq's --caa-record, read by dnsjava. */
    @Test
    void caaFromDnsmasq() throws Exception {
        int port = dev.mailflow.testing.Dnsmasq.freePort();
        var log = java.nio.file.Files.createTempFile("dnsmasq", ".log");
        try (var dns = dev.mailflow.testing.Dnsmasq.start(port, List.of("--caa-record=caa.test,0,issue,ca.example.net",
                "--mx-host=caa.test,mx.caa.test,10", "--host-record=mx.caa.test,127.0.0.1"), log)) {
            int closed = dev.mailflow.testing.Dnsmasq.freePort();
            var r = dev.mailflow.testing.MainRunner.run("probe", "caa.test", "--dns-server", "127.0.0.1:" + port,
                    "--port", String.valueOf(closed), "--first", "--timeout", "2", "--json");
            var records = dev.mailflow.queue.QueueJson.MAPPER.readTree(r.out()).path("steps").get(1);
            assertThat(records.path("name").asText()).isEqualTo("RECORDS");
            assertThat(records.path("details").path("caa").path("issuers").toString()).isEqualTo("[\"ca.example.net\"]");
            assertThat(records.path("exchange").toString()).contains("CAA caa.test 0 issue \\\"ca.example.net\\\"");
        }
    }
}
