package dev.mailflow.delivery.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.testing.Dnsmasq;
import dev.mailflow.testing.PostfixPeer;
import dev.mailflow.testing.RelayedMail;
import dev.mailflow.testing.TestPki;
import dev.mailflow.testing.TestServer;
import dev.mailflow.testing.Unbound;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DANE in delivery, end to end (RFC 7672): zones signed with ldns-signzone, served and validated
 * by a private unbound on loopback, MX hosts on a real Postfix with STARTTLS (and one without).
 * Mail goes only to a certificate one validated TLSA record matches; a TLSA record that does not
 * match, a bogus TLSA answer or a peer without STARTTLS makes it wait (4.7.5), never plaintext.
 * A domain whose zone is not signed still gets opportunistic TLS.
 */
class DaneDeliveryTest {

    @TempDir
    static Path tmp;

    static TestPki.Issued certificate;
    static PostfixPeer withTls;
    static PostfixPeer withoutTls;
    static Unbound unbound;

    @BeforeAll
    static void start() throws Exception {
        var ca = TestPki.root("Mailflow DANE Test CA");
        certificate = ca.issue("mx.dane.test", "mx.wrong.test", "mx.bogus.test", "mx.insecure.test");
        int tlsPort = Dnsmasq.freePort();
        int plainPort = Dnsmasq.freePort();
        withTls = PostfixPeer.start(tmp.resolve("tls"), tlsPort, "dane.test", List.of("user@dane.test"), 9,
                certificate);
        withoutTls = PostfixPeer.start(tmp.resolve("plain"), plainPort, "dane.test", List.of("user@dane.test"), 9,
                null);
        String spki = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(certificate.certificate().getPublicKey().getEncoded()));
        String other = "ab".repeat(32);
        var zones = Unbound.builder(tmp.resolve("unbound"));
        for (int port : new int[] {tlsPort, plainPort}) {
            // One zone per peer port: TLSA records name the port (_port._tcp, RFC 6698 3).
            zones.signedZone("dane" + port + ".test", "@ IN MX 10 mx", "mx IN A 127.0.0.1",
                    "_" + port + "._tcp.mx IN TLSA 3 1 1 " + spki, "_" + port + "._tcp.mx IN TLSA 3 1 1 " + other);
        }
        unbound = zones
                .signedZone("wrong.test", "@ IN MX 10 mx", "mx IN A 127.0.0.1",
                        "_" + tlsPort + "._tcp.mx IN TLSA 3 1 1 " + other)
                .signedZone("bogus.test", "@ IN MX 10 mx", "mx IN A 127.0.0.1",
                        "_" + tlsPort + "._tcp.mx IN TLSA 3 1 1 " + spki)
                .breakSignature("_" + tlsPort + "._tcp.mx.bogus.test", "TLSA")
                .unsignedZone("insecure.test", "@ IN MX 10 mx", "mx IN A 127.0.0.1",
                        "_" + tlsPort + "._tcp.mx IN TLSA 3 1 1 " + other)
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        for (var p : new PostfixPeer[] {withTls, withoutTls}) {
            if (p != null) {
                p.close();
            }
        }
        if (unbound != null) {
            unbound.close();
        }
    }

    private static TestServer server(PostfixPeer peer, String... delivery) throws Exception {
        var lines = new ArrayList<>(List.of("remote_port = " + peer.port(), "command_timeout = \"10s\"",
                "dns_server = \"" + unbound.server() + "\""));
        lines.addAll(List.of(delivery));
        return TestServer.start(List.of("relay_from = [\"127.0.0.0/8\"]"), List.of(), lines,
                List.of("retry_intervals = [\"1h\"]"));
    }

    private static long send(TestServer server, String rcpt) throws Exception {
        return RelayedMail.send(server, "kate@fabrikam.com", rcpt, "DANE");
    }

    @Test
    void aMatchingTlsaRecordAuthenticatesThePeer() throws Exception {
        try (var server = server(withTls)) {
            var e = RelayedMail.sendEvent(server, send(server, "user@dane" + withTls.port() + ".test"));
            assertThat(e.tls().policy()).isEqualTo("DANE");
            assertThat(e.tls().authenticatedBy()).isEqualTo("DANE-EE 3 1 1");
            assertThat(e.tls().protocol()).startsWith("TLSv1.");
        }
    }

    @Test
    void ourOwnValidationWithTheTrustAnchorGivesTheSame() throws Exception {
        try (var server = server(withTls, "dnssec_trust_anchor = \"" + unbound.trustAnchorFile() + "\"")) {
            var e = RelayedMail.sendEvent(server, send(server, "user@dane" + withTls.port() + ".test"));
            assertThat(e.tls().authenticatedBy()).isEqualTo("DANE-EE 3 1 1");
        }
    }

    @Test
    void aCertificateNoTlsaRecordMatchesIsNotSentTo() throws Exception {
        try (var server = server(withTls)) {
            long id = send(server, "user@wrong.test");
            var m = RelayedMail.deferred(server, id);
            assertThat(m.status().lastError()).contains("mx.wrong.test[127.0.0.1]:" + withTls.port())
                    .contains("(DANE)");
            assertThat(m.status().recipients().get(0).enhancedStatus()).hasToString("4.7.5");
            assertThat(RelayedMail.sends(server, id)).isEmpty();
        }
    }

    @Test
    void aBogusTlsaAnswerMakesTheMailWaitNeverPlaintext() throws Exception {
        try (var server = server(withTls)) {
            long id = send(server, "user@bogus.test");
            var m = RelayedMail.deferred(server, id);
            assertThat(m.status().lastError()).startsWith("TLS policy of bogus.test: DANE: ").containsIgnoringCase("bogus");
            assertThat(m.status().recipients().get(0).enhancedStatus()).hasToString("4.7.5");
            assertThat(RelayedMail.sends(server, id)).isEmpty();
        }
    }

    @Test
    void aDanePeerWithoutStarttlsIsNotSentTo() throws Exception {
        try (var server = server(withoutTls)) {
            long id = send(server, "user@dane" + withoutTls.port() + ".test");
            var m = RelayedMail.deferred(server, id);
            assertThat(m.status().lastError()).contains("offers no STARTTLS")
                    .contains("the TLS policy (DANE) requires TLS");
            assertThat(RelayedMail.sends(server, id)).isEmpty();
            assertThat(withoutTls.delivered("dane.test", "user")).isEmpty();
        }
    }

    @Test
    void anUnsignedZoneStillGetsOpportunisticTls() throws Exception {
        try (var server = server(withTls)) {
            var e = RelayedMail.sendEvent(server, send(server, "user@insecure.test"));
            assertThat(e.tls().policy()).isEqualTo("opportunistic");
            assertThat(e.tls().authenticatedBy()).isNull();
            assertThat(e.tls().protocol()).startsWith("TLSv1.");
        }
    }
}
