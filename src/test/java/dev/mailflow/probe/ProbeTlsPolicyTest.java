package dev.mailflow.probe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.mailflow.queue.QueueJson;
import dev.mailflow.testing.Dnsmasq;
import dev.mailflow.testing.MainRunner;
import dev.mailflow.testing.PostfixPeer;
import dev.mailflow.testing.TestPki;
import dev.mailflow.testing.Unbound;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probe's TLS policy steps against real peers on loopback: Postfix with STARTTLS and a test
 * CA's certificate (and one Postfix without STARTTLS), zones signed with ldns-signzone and
 * validated by a private unbound (a TLSA record that matches, one that does not, a bogus one),
 * and MTA-STS policies served by the JDK's HTTPS server with a certificate of the same test CA.
 */
class ProbeTlsPolicyTest {

    @TempDir
    static Path tmp;

    static PostfixPeer withTls;
    static PostfixPeer withoutTls;
    static Unbound unbound;
    static HttpsServer policies;
    static Path caFile;

    /** The policy served for each policy host (Host header). */
    static final Map<String, String> POLICY = Map.of(
            "mta-sts.sts.test", "version: STSv1\r\nmode: enforce\r\nmx: mx.sts.test\r\nmax_age: 604800\r\n",
            "mta-sts.stsbad.test", "version: STSv1\r\nmode: enforce\r\nmx: other.stsbad.test\r\nmax_age: 86400\r\n",
            "mta-sts.ststesting.test", "version: STSv1\r\nmode: testing\r\nmx: *.example.test\r\nmax_age: 86400\r\n");

    @BeforeAll
    static void start() throws Exception {
        var ca = TestPki.root("Mailflow Probe Test CA");
        caFile = ca.writeCertificate(tmp.resolve("ca.pem"));
        var certificate = ca.issue("mx.dane.test", "mx.wrong.test", "mx.bogus.test", "mx.sts.test",
                "mx.ststesting.test", "mx.insecure.test");
        int tlsPort = Dnsmasq.freePort();
        int plainPort = Dnsmasq.freePort();
        withTls = PostfixPeer.start(tmp.resolve("tls"), tlsPort, "dane.test", List.of("user@dane.test"), 9, certificate);
        withoutTls = PostfixPeer.start(tmp.resolve("plain"), plainPort, "plain.test", List.of("user@plain.test"), 9,
                null);

        var web = ca.issue("mta-sts.sts.test", "mta-sts.stsbad.test", "mta-sts.ststesting.test");
        policies = HttpsServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 16);
        policies.setHttpsConfigurator(new HttpsConfigurator(web.serverContext()));
        policies.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        policies.createContext("/.well-known/mta-sts.txt", exchange -> {
            String host = exchange.getRequestHeaders().getFirst("Host");
            String body = POLICY.get(host == null ? "" : host.replaceAll(":\\d+$", ""));
            byte[] bytes = (body == null ? "" : body).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(body == null ? 404 : 200, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                exchange.getResponseBody().write(bytes);
            }
            exchange.close();
        });
        policies.start();

        String spki = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(certificate.certificate().getPublicKey().getEncoded()));
        String other = "ab".repeat(32);
        String tlsa = "_" + tlsPort + "._tcp.mx IN TLSA ";
        unbound = Unbound.builder(tmp.resolve("unbound"))
                .signedZone("dane.test", "@ IN MX 10 mx", "mx IN A 127.0.0.1", tlsa + "3 1 1 " + other,
                        tlsa + "3 1 1 " + spki, "_smtp._tls IN TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@dane.test\"")
                .signedZone("wrong.test", "@ IN MX 10 mx", "mx IN A 127.0.0.1", tlsa + "3 1 1 " + other)
                .signedZone("bogus.test", "@ IN MX 10 mx", "mx IN A 127.0.0.1", tlsa + "3 1 1 " + spki)
                .breakSignature("_" + tlsPort + "._tcp.mx.bogus.test", "TLSA")
                .signedZone("plain.test", "@ IN MX 10 mx", "mx IN A 127.0.0.1",
                        "_" + plainPort + "._tcp.mx IN TLSA 3 1 1 " + spki)
                .unsignedZone("insecure.test", "@ IN MX 10 mx", "mx IN A 127.0.0.1", tlsa + "3 1 1 " + spki)
                .unsignedZone("sts.test", "@ IN MX 10 mx", "mx IN A 127.0.0.1", "mta-sts IN A 127.0.0.1",
                        "_mta-sts IN TXT \"v=STSv1; id=20261202\"",
                        "_smtp._tls IN TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@sts.test,ftp://nowhere.test\"")
                .unsignedZone("stsbad.test", "@ IN MX 10 mx", "mx IN A 127.0.0.1", "mta-sts IN A 127.0.0.1",
                        "_mta-sts IN TXT \"v=STSv1; id=1\"")
                .unsignedZone("ststesting.test", "@ IN MX 10 mx", "mx IN A 127.0.0.1", "mta-sts IN A 127.0.0.1",
                        "_mta-sts IN TXT \"v=STSv1; id=2\"")
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
        if (policies != null) {
            policies.stop(0);
        }
    }

    private static MainRunner.Result probe(String domain, PostfixPeer peer, String... more) {
        var args = new ArrayList<>(List.of("probe", domain, "--dns-server", unbound.server(), "--port",
                String.valueOf(peer.port()), "--helo", "probe.example.test", "--timeout", "10", "--mta-sts-port",
                String.valueOf(policies.getAddress().getPort())));
        args.addAll(List.of(more));
        return MainRunner.run(args.toArray(String[]::new));
    }

    private static JsonNode step(MainRunner.Result r, String name) throws Exception {
        for (JsonNode st : QueueJson.MAPPER.readTree(r.out()).path("steps")) {
            if (st.path("name").asText().equals(name)) {
                return st;
            }
        }
        throw new AssertionError("no " + name + " step in " + r.out());
    }

    @Test
    void aMatchingTlsaRecordPassesAndSaysWhichRecordMatched() throws Exception {
        // The session does STARTTLS with the MX: its certificate is the one checked.
        var r = probe("dane.test", withTls);
        String where = "mx.dane.test [127.0.0.1]:" + withTls.port();
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out()).contains("[PASS] MX-TLS")
                .contains("= MX mx.dane.test, preference 10, port " + withTls.port() + ":")
                .contains("_" + withTls.port() + "._tcp.mx.dane.test TLSA 3 1 1 " + "ab".repeat(32))
                .contains("= PASS TLSA: 2 usable TLSA records at _" + withTls.port() + "._tcp.mx.dane.test "
                        + "(DNSSEC-validated): DANE-EE 3 1 1, DANE-EE 3 1 1")
                .contains("= PASS DNSSEC: the TLSA records and the addresses of the MX are DNSSEC-validated")
                .contains("= PASS DANE: the certificate of " + where + " matches: DANE-EE 3 1 1 matched the "
                        + "server's public key")
                .contains("= SKIP MTA-STS: no MTA-STS policy for dane.test")
                .contains("[SKIP] MTA-STS").contains("[PASS] TLS-RPT")
                .contains("= PASS TLS-RPT: reports go to mailto:tlsrpt@dane.test")
                .contains("Result: PASSED");

        // --quit-after EHLO: no STARTTLS in the session, so the step makes a connection of its own;
        // and DNSSEC validated here with the zones' DS records gives the same.
        var own = probe("dane.test", withTls, "--quit-after", "EHLO", "--json", "--dnssec-trust-anchor",
                unbound.trustAnchorFile().toString());
        assertThat(own.code()).as(own.out()).isZero();
        var mx = step(own, "MX-TLS");
        assertThat(mx.path("status").asText()).isEqualTo("PASS");
        assertThat(mx.path("details").path("host").asText()).isEqualTo("mx.dane.test");
        assertThat(mx.path("details").path("dnssec").asText()).isEqualTo("secure");
        assertThat(mx.path("details").path("daneMatched").asText()).isEqualTo("DANE-EE 3 1 1");
        assertThat(mx.path("details").path("policy").asText()).isEqualTo("dane");
        assertThat(mx.path("exchange").toString()).contains("OPEN " + where).contains("C: STARTTLS")
                .contains("C: QUIT");
        assertThat(mx.path("details").path("checks").toString()).contains("{\"check\":\"DANE\",\"result\":\"pass\"");
        assertThat(step(own, "TLS-RPT").path("details").path("rua").toString())
                .isEqualTo("[\"mailto:tlsrpt@dane.test\"]");
    }

    @Test
    void aCertificateNoRecordMatchesFailsWithTheReasons() throws Exception {
        var r = probe("wrong.test", withTls, "--quit-after", "EHLO");
        assertThat(r.code()).as(r.out()).isEqualTo(1);
        assertThat(r.out()).contains("[PASS] EHLO").contains("[FAIL] MX-TLS")
                .contains("= PASS TLSA: 1 usable TLSA record at _" + withTls.port() + "._tcp.mx.wrong.test")
                .contains("= FAIL DANE: the server's certificate (for mx.dane.test, mx.wrong.test, ")
                .contains("matched none of the usable TLSA records at _" + withTls.port() + "._tcp.mx.wrong.test: "
                        + "DANE-EE 3 1 1 did not match the server's public key")
                .contains("Possible reasons:").contains("the TLSA record not updated first")
                // DANE is in force and nobody gets reports: a warning with the record to publish.
                .contains("[WARN] TLS-RPT").contains("_smtp._tls.wrong.test. IN TXT \"v=TLSRPTv1; "
                        + "rua=mailto:tlsrpt@wrong.test\"")
                .contains("Result: TLS_POLICY_FAILED: a DANE or MTA-STS check failed");
    }

    @Test
    void aBogusTlsaAnswerIsNamedNotTakenForNoDane() throws Exception {
        var r = probe("bogus.test", withTls, "--json");
        assertThat(r.code()).as(r.out()).isEqualTo(1);
        var mx = step(r, "MX-TLS");
        assertThat(mx.path("status").asText()).isEqualTo("FAIL");
        assertThat(mx.path("details").path("dnssec").asText()).isEqualTo("bogus");
        assertThat(mx.path("meaning").toString()).contains("FAIL DNSSEC: the TLSA lookup of _" + withTls.port() + "._tcp.mx.bogus.test failed: ")
                .containsIgnoringCase("bogus");
        assertThat(mx.path("reasons").toString()).contains("re-sign the zone")
                .contains("never falls back to plaintext");
        assertThat(QueueJson.MAPPER.readTree(r.out()).path("outcome").asText()).isEqualTo("TLS_POLICY_FAILED");
    }

    @Test
    void aDaneMxWithoutStarttlsFails() throws Exception {
        var r = probe("plain.test", withoutTls);
        assertThat(r.code()).as(r.out()).isEqualTo(1);
        assertThat(r.out()).contains("[WARN] STARTTLS").contains("[FAIL] MX-TLS")
                .contains("= FAIL DANE: mx.plain.test [127.0.0.1]:" + withoutTls.port() + " offers no STARTTLS, "
                        + "while _" + withoutTls.port() + "._tcp.mx.plain.test promises TLS");
    }

    @Test
    void tlsaRecordsInAnUnsignedZoneAreNotUsed() throws Exception {
        var r = probe("insecure.test", withTls);
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out()).contains("[WARN] MX-TLS")
                .contains("= WARN TLSA: 1 TLSA record(s) at _" + withTls.port() + "._tcp.mx.insecure.test, not used: ")
                .contains("not DNSSEC-signed")
                .contains("= WARN DNSSEC: not validated (insecure)")
                .contains("= SKIP Certificate: no DANE and no MTA-STS for this MX")
                .contains("[SKIP] TLS-RPT");
    }

    @Test
    void anEnforcedMtaStsPolicyWithAListedMxAndAValidCertificatePasses() throws Exception {
        var r = probe("sts.test", withTls, "--ca-file", caFile.toString());
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out()).contains("[PASS] MTA-STS")
                .contains("_mta-sts.sts.test TXT \"v=STSv1; id=20261202\"")
                .contains("GET https://mta-sts.sts.test:" + policies.getAddress().getPort() + "/.well-known/mta-sts.txt")
                .contains("= PASS MTA-STS record: _mta-sts.sts.test: id 20261202")
                .contains("= PASS MTA-STS policy: mode enforce, mx mx.sts.test, max_age 604800 s (7 days)")
                .contains("= PASS MTA-STS mx: mx.sts.test matches the policy's mx mx.sts.test")
                .contains("= PASS WebPKI: the certificate of mx.sts.test [127.0.0.1]:" + withTls.port()
                        + " is valid for mx.sts.test (mx.sts.test, issued by Mailflow Probe Test CA)")
                .contains("= SKIP TLSA: ")
                .contains("= PASS TLS-RPT: reports go to mailto:tlsrpt@sts.test")
                .contains("= WARN TLS-RPT: ignored: \"ftp://nowhere.test\": the scheme ftp: is not mailto: or https:");

        // Without the test CA the policy host's certificate is not trusted: the policy is not fetched.
        var untrusted = probe("sts.test", withTls);
        assertThat(untrusted.code()).as(untrusted.out()).isEqualTo(0);
        assertThat(untrusted.out()).contains("[WARN] MTA-STS")
                .contains("= WARN MTA-STS policy: the certificate of mta-sts.sts.test is not valid: ")
                .contains("senders deliver as if sts.test had no MTA-STS")
                .contains("Possible reasons:")
                .contains("The web server's certificate is not valid for mta-sts.sts.test");
    }

    @Test
    void anMxThePolicyDoesNotListFailsUnderEnforceAndWarnsUnderTesting() throws Exception {
        var r = probe("stsbad.test", withTls, "--ca-file", caFile.toString(), "--quit-after", "EHLO");
        assertThat(r.code()).as(r.out()).isEqualTo(1);
        assertThat(r.out()).contains("[PASS] MTA-STS").contains("[FAIL] MX-TLS")
                .contains("= FAIL MTA-STS mx: mx.stsbad.test matches none of the policy's mx patterns "
                        + "(other.stsbad.test): senders do not deliver to it")
                .contains("= FAIL WebPKI: certificate for mx.dane.test, ")
                .contains("does not name mx.stsbad.test (certificate-host-mismatch)")
                .contains("Result: TLS_POLICY_FAILED");

        var testing = probe("ststesting.test", withTls, "--ca-file", caFile.toString());
        assertThat(testing.code()).as(testing.out()).isZero();
        assertThat(testing.out()).contains("[WARN] MTA-STS")
                .contains("= WARN MTA-STS policy: mode testing, mx *.example.test, max_age 86400 s (1 day)")
                .contains("= WARN MTA-STS mx: mx.ststesting.test matches none of the policy's mx patterns "
                        + "(*.example.test): senders deliver and report a failure (mode testing: delivered and reported)")
                .contains("= PASS WebPKI: ")
                .contains("[WARN] TLS-RPT").contains("Result: PASSED");
    }

    @Test
    void badOptionsAreUsageErrors() {
        var r = MainRunner.run("probe", "example.test", "--ca-file", tmp.resolve("missing.pem").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("mailflow: ").contains("missing.pem");
        r = MainRunner.run("probe", "example.test", "--mta-sts-port", "0");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--mta-sts-port must be a number from 1 to 65535, not 0");
        r = MainRunner.run("probe", "example.test", "--dnssec-trust-anchor", tmp.resolve("none.ds").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("none.ds");
    }
}
