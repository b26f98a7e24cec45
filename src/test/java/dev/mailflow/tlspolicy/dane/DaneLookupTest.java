package dev.mailflow.tlspolicy.dane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.dns.TlsaRecord;
import dev.mailflow.dns.Zone;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 7672 2.2.2 and 2.2.3 on an in-memory zone ("signed" names answer as DNSSEC-validated). */
class DaneLookupTest {

    private static final String H32 = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    private static TlsaRecord tlsa(int u, int s, int m, String hex) {
        return new TlsaRecord(u, s, m, HexFormat.of().parseHex(hex));
    }

    @Test
    void secureAddressesAndTlsaAreUsable() {
        var zone = Zone.builder().a("mx.secure.test", "192.0.2.1").signed("mx.secure.test")
                .tlsa("_25._tcp.mx.secure.test", 3, 1, 1, H32).tlsa("_25._tcp.mx.secure.test", 1, 1, 1, H32)
                .signed("_25._tcp.mx.secure.test").build();
        var result = new DaneLookup(zone).lookup("MX.secure.test.", 25);
        assertThat(result).isEqualTo(new DaneResult.Usable("_25._tcp.mx.secure.test", List.of(tlsa(3, 1, 1, H32)),
                List.of("mx.secure.test")));
        assertThat(result.tlsRequired()).isTrue();
        assertThat(zone.queries()).contains("_25._tcp.mx.secure.test TLSA");
    }

    @Test
    void insecureAddressesMeanNoTlsaLookupAtAll() {
        var zone = Zone.builder().a("mx.plain.test", "192.0.2.1").tlsa("_25._tcp.mx.plain.test", 3, 1, 1, H32)
                .signed("_25._tcp.mx.plain.test").build();
        var result = new DaneLookup(zone).lookup("mx.plain.test", 25);
        assertThat(result).isInstanceOf(DaneResult.NotDane.class);
        assertThat(((DaneResult.NotDane) result).why()).contains("not DNSSEC-signed (insecure)");
        assertThat(result.tlsRequired()).isFalse();
        assertThat(zone.queries()).noneMatch(q -> q.endsWith("TLSA"));
    }

    @Test
    void insecureTlsaIsNotDane() {
        var zone = Zone.builder().a("mx.half.test", "192.0.2.1").signed("mx.half.test")
                .tlsa("_25._tcp.mx.half.test", 3, 1, 1, H32).build();
        assertThat(new DaneLookup(zone).lookup("mx.half.test", 25)).isInstanceOf(DaneResult.NotDane.class);
    }

    @Test
    void anAuthenticatedDenialIsNotDane() {
        var zone = Zone.builder().a("mx.secure.test", "192.0.2.1").signed("mx.secure.test")
                .exists("_25._tcp.mx.secure.test").signed("_25._tcp.mx.secure.test").build();
        var result = new DaneLookup(zone).lookup("mx.secure.test", 25);
        assertThat(result).isInstanceOf(DaneResult.NotDane.class);
        assertThat(((DaneResult.NotDane) result).why()).contains("no TLSA records")
                .contains("(DNSSEC-validated denial)");
    }

    @Test
    void onlyPkixUsagesAreNoneUsableAndStillRequireTls() {
        var zone = Zone.builder().a("mx.secure.test", "192.0.2.1").signed("mx.secure.test")
                .tlsa("_25._tcp.mx.secure.test", 1, 1, 1, H32).signed("_25._tcp.mx.secure.test").build();
        var result = new DaneLookup(zone).lookup("mx.secure.test", 25);
        assertThat(result).isEqualTo(new DaneResult.NoneUsable("_25._tcp.mx.secure.test", List.of(tlsa(1, 1, 1, H32))));
        assertThat(result.tlsRequired()).isTrue();
        assertThat(result.describe()).contains("PKIX-EE 1 1 1: usage PKIX-EE is not for SMTP");
    }

    @Test
    void failuresAreTempFailsNeverNotDane() {
        var zone = Zone.builder().a("mx.secure.test", "192.0.2.1").signed("mx.secure.test")
                .servfail("_25._tcp.mx.secure.test").a("mx.slow.test", "192.0.2.2").signed("mx.slow.test")
                .timeout("mx.slow.test").servfail("mx.broken.test").build();
        var lookup = new DaneLookup(zone);
        assertThat(lookup.lookup("mx.secure.test", 25)).isInstanceOf(DaneResult.TempFail.class);
        assertThat(((DaneResult.TempFail) lookup.lookup("mx.secure.test", 25)).why())
                .startsWith("the TLSA lookup of _25._tcp.mx.secure.test failed: ");
        // The AAAA lookup times out: the addresses may be bogus, so no verdict.
        assertThat(lookup.lookup("mx.slow.test", 25)).isInstanceOf(DaneResult.TempFail.class);
        assertThat(lookup.lookup("mx.broken.test", 25)).isInstanceOf(DaneResult.TempFail.class);
    }

    @Test
    void anInsecureAddressAnswerIsNotDaneEvenWhenTheOtherLookupFails() {
        // dnsmasq refuses AAAA for names it does not serve: the unsigned zone stays unsigned.
        var zone = Zone.builder().a("mx.plain.test", "192.0.2.4").timeout("mx.plain.test").build();
        assertThat(new DaneLookup(zone).lookup("mx.plain.test", 25)).isInstanceOf(DaneResult.NotDane.class);
    }

    @Test
    void aCnameIsExpandedAndTlsaLookedUpThereFirst() {
        var zone = Zone.builder().cname("mx.customer.test", "smtp.provider.test").signed("mx.customer.test")
                .a("smtp.provider.test", "192.0.2.3").signed("smtp.provider.test")
                .tlsa("_25._tcp.smtp.provider.test", 2, 0, 1, H32).signed("_25._tcp.smtp.provider.test")
                .tlsa("_25._tcp.mx.customer.test", 3, 1, 1, H32).signed("_25._tcp.mx.customer.test").build();
        var result = new DaneLookup(zone).lookup("mx.customer.test", 25);
        assertThat(result).isEqualTo(new DaneResult.Usable("_25._tcp.smtp.provider.test", List.of(tlsa(2, 0, 1, H32)),
                List.of("mx.customer.test", "smtp.provider.test")));
    }

    @Test
    void withoutTlsaAtTheExpansionTheOriginalNameIsAsked() {
        var zone = Zone.builder().cname("mx.customer.test", "smtp.provider.test").signed("mx.customer.test")
                .a("smtp.provider.test", "192.0.2.3").signed("smtp.provider.test")
                .tlsa("_25._tcp.mx.customer.test", 3, 1, 1, H32).signed("_25._tcp.mx.customer.test").build();
        var result = new DaneLookup(zone).lookup("mx.customer.test", 25);
        assertThat(result).isEqualTo(new DaneResult.Usable("_25._tcp.mx.customer.test", List.of(tlsa(3, 1, 1, H32)),
                List.of("mx.customer.test")));
    }

    @Test
    void anInsecureAliasIsNotDane() {
        var zone = Zone.builder().cname("mx.customer.test", "smtp.provider.test")
                .a("smtp.provider.test", "192.0.2.3").signed("smtp.provider.test")
                .tlsa("_25._tcp.smtp.provider.test", 3, 1, 1, H32).signed("_25._tcp.smtp.provider.test").build();
        var result = new DaneLookup(zone).lookup("mx.customer.test", 25);
        assertThat(result).isInstanceOf(DaneResult.NotDane.class);
    }

    @Test
    void otherPortsAndBadNames() {
        var zone = Zone.builder().a("mx.secure.test", "192.0.2.1").signed("mx.secure.test")
                .tlsa("_465._tcp.mx.secure.test", 3, 1, 1, H32).signed("_465._tcp.mx.secure.test").build();
        assertThat(new DaneLookup(zone).lookup("mx.secure.test", 465)).isInstanceOf(DaneResult.Usable.class);
        assertThat(new DaneLookup(zone).lookup("mx..test", 25)).isInstanceOf(DaneResult.NotDane.class);
        assertThat(new DaneLookup(zone).lookup("nothing.test", 25)).isEqualTo(
                new DaneResult.NotDane("nothing.test has no A or AAAA record"));
    }
}
