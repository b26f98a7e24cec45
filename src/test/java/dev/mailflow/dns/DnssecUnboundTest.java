package dev.mailflow.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailflow.tlspolicy.dane.DaneLookup;
import dev.mailflow.tlspolicy.dane.DaneResult;
import dev.mailflow.testing.Unbound;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DNSSEC end to end: zones signed with ldns-signzone, served by a validating unbound on
 * loopback, asked both ways: believing unbound's AD bit (the default) and validating here with
 * the zones' DS records as trust anchor. A zone whose TLSA signature was broken after signing
 * must come back as a bogus TempFail on both paths, never as "no TLSA".
 */
class DnssecUnboundTest {

    private static final String TLSA_HEX = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20";

    @TempDir
    static Path dir;
    private static Unbound unbound;
    private static DnsjavaResolver adBit;
    private static DnsjavaResolver local;

    @BeforeAll
    static void start() throws Exception {
        unbound = Unbound.builder(dir.resolve("unbound"))
                .signedZone("secure.test",
                        "@ IN MX 10 mx",
                        "mx IN A 127.0.0.1",
                        "_25._tcp.mx IN TLSA 3 1 1 " + TLSA_HEX,
                        "alias IN CNAME mx")
                .signedZone("bogus.test",
                        "@ IN MX 10 mx",
                        "mx IN A 127.0.0.1",
                        "_25._tcp.mx IN TLSA 3 1 1 " + TLSA_HEX)
                .breakSignature("_25._tcp.mx.bogus.test", "TLSA")
                .unsignedZone("plain.test",
                        "@ IN MX 10 mx",
                        "mx IN A 127.0.0.1",
                        "_25._tcp.mx IN TLSA 3 1 1 " + TLSA_HEX)
                .start();
        adBit = DnsjavaResolver.builder().server(unbound.server()).timeout(Duration.ofSeconds(2)).build();
        local = DnsjavaResolver.builder().server(unbound.server()).timeout(Duration.ofSeconds(2))
                .trustAnchors(unbound.trustAnchorFile()).build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (unbound != null) {
            unbound.close();
        }
    }

    private static boolean authenticated(DnsAnswer<?> answer) {
        return switch (answer) {
            case DnsAnswer.Found<?> f -> f.authenticated();
            case DnsAnswer.NotFound<?> n -> n.authenticated();
            case DnsAnswer.TempFail<?> t -> throw new AssertionError("a TempFail: " + t.reason());
        };
    }

    @Test
    void aSignedZoneIsAuthenticatedOnBothPaths() {
        for (var resolver : new DnsjavaResolver[] {adBit, local}) {
            var mx = resolver.mx("secure.test");
            assertThat(mx.records()).containsExactly(new MxRecord(10, "mx.secure.test"));
            assertThat(authenticated(mx)).as(resolver + " MX").isTrue();
            var tlsa = resolver.tlsa("_25._tcp.mx.secure.test");
            assertThat(tlsa.records()).containsExactly(new TlsaRecord(3, 1, 1, java.util.HexFormat.of().parseHex(TLSA_HEX)));
            assertThat(authenticated(tlsa)).as(resolver + " TLSA").isTrue();
            assertThat(authenticated(resolver.a("mx.secure.test"))).isTrue();
            var alias = resolver.lookup("alias.secure.test", RecordType.CNAME);
            assertThat(alias.records()).containsExactly("mx.secure.test");
            assertThat(authenticated(alias)).isTrue();
            assertThat(authenticated(resolver.a("alias.secure.test"))).isTrue();
        }
    }

    @Test
    void aDenialInASignedZoneIsAuthenticated() {
        for (var resolver : new DnsjavaResolver[] {adBit, local}) {
            var none = resolver.tlsa("_25._tcp.nothere.secure.test");
            assertThat(none).isInstanceOf(DnsAnswer.NotFound.class);
            assertThat(authenticated(none)).as(resolver.toString()).isTrue();
            var noData = resolver.aaaa("mx.secure.test");
            assertThat(noData).isInstanceOf(DnsAnswer.NotFound.class);
            assertThat(authenticated(noData)).isTrue();
        }
    }

    @Test
    void anUnsignedZoneIsNotAuthenticated() {
        for (var resolver : new DnsjavaResolver[] {adBit, local}) {
            var tlsa = resolver.tlsa("_25._tcp.mx.plain.test");
            assertThat(tlsa).isInstanceOf(DnsAnswer.Found.class);
            assertThat(authenticated(tlsa)).as(resolver.toString()).isFalse();
        }
    }

    @Test
    void aBrokenSignatureIsBogusOnBothPaths() {
        for (var resolver : new DnsjavaResolver[] {adBit, local}) {
            var tlsa = resolver.tlsa("_25._tcp.mx.bogus.test");
            assertThat(tlsa).as(resolver.toString()).isInstanceOf(DnsAnswer.TempFail.class);
            var fail = (DnsAnswer.TempFail<TlsaRecord>) tlsa;
            assertThat(fail.cause()).isEqualTo(DnsAnswer.TempFail.Cause.SERVFAIL);
            assertThat(fail.reason()).as(resolver.toString()).startsWith("DNSSEC validation failed (bogus): ")
                    .contains("TLSA query for _25._tcp.mx.bogus.test");
            // The rest of the zone still validates.
            assertThat(authenticated(resolver.a("mx.bogus.test"))).isTrue();
        }
        assertThat(((DnsAnswer.TempFail<?>) local.tlsa("_25._tcp.mx.bogus.test")).reason())
                .contains("validated with " + unbound.trustAnchorFile());
    }

    @Test
    void danePolicyFromRealDns() {
        for (var resolver : new DnsjavaResolver[] {adBit, local}) {
            var lookup = new DaneLookup(new CachingResolver(resolver));
            assertThat(lookup.lookup("mx.secure.test", 25)).isInstanceOf(DaneResult.Usable.class);
            assertThat(lookup.lookup("alias.secure.test", 25)).isEqualTo(lookup.lookup("alias.secure.test", 25));
            assertThat(lookup.lookup("mx.plain.test", 25)).isInstanceOf(DaneResult.NotDane.class);
            var bogus = lookup.lookup("mx.bogus.test", 25);
            assertThat(bogus).isInstanceOf(DaneResult.TempFail.class);
            assertThat(((DaneResult.TempFail) bogus).why()).contains("DNSSEC validation failed (bogus)");
        }
    }

    @Test
    void aTrustAnchorThatDoesNotMatchTheZoneMakesItBogus() throws Exception {
        Path wrong = dir.resolve("wrong.ds");
        Files.writeString(wrong, "secure.test. IN DS 12345 13 2 "
                + "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n");
        var resolver = DnsjavaResolver.builder().server(unbound.server()).timeout(Duration.ofSeconds(2))
                .trustAnchors(wrong).build();
        var mx = resolver.mx("secure.test");
        assertThat(mx).isInstanceOf(DnsAnswer.TempFail.class);
        assertThat(((DnsAnswer.TempFail<?>) mx).reason()).startsWith("DNSSEC validation failed (bogus): ");
        // Outside the anchored zone answers are insecure, not bogus.
        assertThat(authenticated(resolver.mx("plain.test"))).isFalse();
    }

    @Test
    void localValidationIsItsOwnAndDoesNotBelieveTheAdBit() throws Exception {
        // Anchored only at an unrelated zone, our validator has no chain for secure.test: the
        // answers are insecure even though unbound (asked with CD) would have validated them.
        Path unrelated = dir.resolve("unrelated.ds");
        Files.writeString(unrelated, "elsewhere.test. IN DS 12345 13 2 "
                + "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n");
        var resolver = DnsjavaResolver.builder().server(unbound.server()).trustAnchors(unrelated).build();
        assertThat(resolver.validatesLocally()).isTrue();
        assertThat(authenticated(resolver.mx("secure.test"))).isFalse();
    }

    @Test
    void trustAnchorFilesThatCannotBeUsed() throws Exception {
        assertThatThrownBy(() -> DnsjavaResolver.builder().trustAnchors(dir.resolve("missing.ds")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing.ds does not exist");
        Path garbage = dir.resolve("garbage.ds");
        Files.writeString(garbage, "this is not a zone file {\n");
        assertThatThrownBy(() -> DnsjavaResolver.builder().trustAnchors(garbage))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("garbage.ds");
        Path noAnchors = dir.resolve("none.ds");
        Files.writeString(noAnchors, "example.test. 300 IN A 192.0.2.1\n");
        assertThatThrownBy(() -> DnsjavaResolver.builder().trustAnchors(noAnchors))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has no DS or DNSKEY record");
        assertThatThrownBy(() -> DnsjavaResolver.builder().trustAnchors(dir))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is a directory");
        assertThatThrownBy(() -> DnsResolver.create("127.0.0.1:53", dir.resolve("missing.ds")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theRootAnchorShipsWithBothKsks() {
        var anchors = DnssecTrustAnchors.root();
        assertThat(anchors.zones()).containsExactly(".");
        assertThat(anchors.source()).isEqualTo("the IANA root trust anchor");
        var resolver = DnsjavaResolver.builder().server(unbound.server()).rootTrustAnchor().build();
        assertThat(resolver.validatesLocally()).isTrue();
        assertThat(resolver.toString()).contains("DNSSEC validated here with the IANA root trust anchor");
    }
}
