package dev.mailflow.delivery.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.testing.Dnsmasq;
import dev.mailflow.testing.PostfixPeer;
import dev.mailflow.testing.RelayedMail;
import dev.mailflow.testing.TestPki;
import dev.mailflow.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's TLS levels against real Postfix peers on loopback, one offering STARTTLS with
 * a certificate from a test CA and one offering none: what a level requires is never given up
 * for plaintext or for a certificate that does not match, and mail to a peer without
 * requirements still goes opportunistically.
 */
class OutboundTlsPolicyTest {

    @TempDir
    static Path tmp;

    static TestPki ca;
    static TestPki.Issued certificate;
    static PostfixPeer withTls;
    static PostfixPeer withoutTls;
    static Dnsmasq dns;
    static int dnsPort;

    @BeforeAll
    static void start() throws Exception {
        dnsPort = Dnsmasq.freePort();
        dns = Dnsmasq.start(dnsPort, List.of("--mx-host=remote.test,mx.remote.test,10",
                "--host-record=mx.remote.test,127.0.0.1"), tmp.resolve("dnsmasq.log"));
        ca = TestPki.root("Mailflow Test CA");
        certificate = ca.issue("mx.remote.test");
        withTls = PostfixPeer.start(tmp.resolve("tls"), Dnsmasq.freePort(), "remote.test",
                List.of("user@remote.test"), 9, certificate);
        withoutTls = PostfixPeer.start(tmp.resolve("plain"), Dnsmasq.freePort(), "remote.test",
                List.of("user@remote.test"), 9, null);
    }

    @AfterAll
    static void stop() throws Exception {
        for (var p : new PostfixPeer[] {withTls, withoutTls}) {
            if (p != null) {
                p.close();
            }
        }
        if (dns != null) {
            dns.close();
        }
    }

    private static TestServer server(PostfixPeer peer, List<String> tables, String... delivery) throws Exception {
        var lines = new ArrayList<>(List.of("remote_port = " + peer.port(), "command_timeout = \"10s\"",
                "dns_server = \"127.0.0.1:" + dnsPort + "\""));
        lines.addAll(List.of(delivery));
        return TestServer.start(List.of("relay_from = [\"127.0.0.0/8\"]"), tables, lines,
                List.of("retry_intervals = [\"1h\"]"));
    }

    private static long send(TestServer server, String subject) throws Exception {
        return RelayedMail.send(server, "kate@fabrikam.com", "user@remote.test", subject);
    }

    private static <T> T await(java.util.concurrent.Callable<T> value, java.util.function.Predicate<T> done,
                               String what) throws Exception {
        return dev.mailflow.testing.Await.until(what, java.time.Duration.ofSeconds(30), value, done);
    }

    @Test
    void encryptNeverFallsBackToPlaintext() throws Exception {
        int before = withoutTls.delivered("remote.test", "user").size();
        try (var server = server(withoutTls, List.of("[[tls_policy]]", "domains = [\"*\"]", "tls = \"encrypt\""))) {
            long id = send(server, "must be encrypted");
            var m = RelayedMail.deferred(server, id);
            assertThat(m.status().lastError()).contains("offers no STARTTLS")
                    .contains("the TLS policy (encrypt) requires TLS");
            assertThat(m.status().recipients().get(0).enhancedStatus()).hasToString("4.7.5");
            Thread.sleep(300);
            assertThat(withoutTls.delivered("remote.test", "user")).hasSize(before);
        }
    }

    @Test
    void atExpiryTheFailureDsnSaysWhichCheckFailed() throws Exception {
        var lines = new ArrayList<>(List.of("remote_port = " + withoutTls.port(), "command_timeout = \"10s\"",
                "dns_server = \"127.0.0.1:" + dnsPort + "\""));
        try (var server = TestServer.start(List.of("relay_from = [\"127.0.0.0/8\"]"),
                List.of("[[tls_policy]]", "domains = [\"remote.test\"]", "tls = \"encrypt\""), lines,
                List.of("retry_intervals = [\"300ms\"]", "lifetime = \"1s\""))) {
            send(server, "expires");
            var dsn = await(() -> server.delivered("kate@fabrikam.com"), l -> !l.isEmpty(), "a failure DSN");
            String text = java.nio.file.Files.readString(dsn.get(0));
            assertThat(text).contains("Status: 5.7.5").contains("offers no STARTTLS")
                    .contains("the TLS policy (encrypt) requires TLS");
        }
    }

    @Test
    void opportunisticStillDeliversInPlaintextAndTrackingSaysSo() throws Exception {
        int before = withoutTls.delivered("remote.test", "user").size();
        try (var server = server(withoutTls, List.of())) {
            long id = send(server, "opportunistic");
            var e = RelayedMail.sendEvent(server, id);
            assertThat(e.tls()).isNotNull();
            assertThat(e.tls().protocol()).isNull();
            assertThat(e.tls().policy()).isEqualTo("opportunistic");
            assertThat(e.tls().authenticatedBy()).isNull();
            await(() -> withoutTls.delivered("remote.test", "user").size(), n -> n == before + 1, "delivered");
        }
    }

    @Test
    void opportunisticTlsIsEncryptedButNotAuthenticated() throws Exception {
        try (var server = server(withTls, List.of())) {
            long id = send(server, "opportunistic over TLS");
            var e = RelayedMail.sendEvent(server, id);
            assertThat(e.tls().protocol()).startsWith("TLSv1.");
            assertThat(e.tls().cipher()).isNotBlank();
            assertThat(e.tls().authenticatedBy()).isNull();
        }
    }

    @Test
    void aPinnedFingerprintAuthenticatesTheSmartHost() throws Exception {
        String pin = dev.mailflow.delivery.tls.Fingerprint.of(certificate.certificate()).toString();
        try (var server = server(withTls, List.of("[[send_connector]]", "name = \"Pinned\"", "domains = [\"*\"]",
                "smart_host = \"127.0.0.1:" + withTls.port() + "\"", "tls = \"verify\"",
                "tls_fingerprints = [\"" + pin + "\"]"))) {
            long id = send(server, "pinned");
            var e = RelayedMail.sendEvent(server, id);
            assertThat(e.tls().authenticatedBy()).isEqualTo("fingerprint " + pin);
            assertThat(e.tls().policy()).isEqualTo("verify");
        }
    }

    @Test
    void aWrongFingerprintIsNotSentTo() throws Exception {
        int before = withTls.delivered("remote.test", "user").size();
        String other = "sha256:" + "AB:".repeat(31) + "AB";
        try (var server = server(withTls, List.of("[[tls_policy]]", "domains = [\"*\"]", "tls = \"verify\"",
                "fingerprints = [\"" + other + "\"]"))) {
            long id = send(server, "wrong pin");
            var m = RelayedMail.deferred(server, id);
            assertThat(m.status().lastError()).contains("none of the 1 pinned fingerprints matches")
                    .contains(Fingerprint.of(certificate.certificate()).toString());
            assertThat(m.status().recipients().get(0).enhancedStatus()).hasToString("4.7.5");
            Thread.sleep(300);
            assertThat(withTls.delivered("remote.test", "user")).hasSize(before);
        }
    }
}
