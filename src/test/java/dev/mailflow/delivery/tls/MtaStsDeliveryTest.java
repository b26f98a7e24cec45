package dev.mailflow.delivery.tls;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.mailflow.testing.Dnsmasq;
import dev.mailflow.testing.PostfixPeer;
import dev.mailflow.testing.RelayedMail;
import dev.mailflow.testing.TestPki;
import dev.mailflow.testing.TestServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MTA-STS in delivery, end to end (RFC 8461): TXT records from dnsmasq, policies served over
 * HTTPS on loopback with a certificate from a test CA ({@code ca_file}), Postfix peers with and
 * without STARTTLS. Under {@code enforce}, mail goes only to an MX the policy names, over TLS,
 * to a certificate valid for the MX name; under {@code testing} it is delivered and the failure
 * only reported. The policy is kept in the data directory and used when the policy host is
 * down.
 */
class MtaStsDeliveryTest {

    @TempDir
    static Path tmp;

    static TestPki ca;
    static PostfixPeer withTls;
    static PostfixPeer withoutTls;
    static Dnsmasq dns;
    static int dnsPort;
    static HttpsServer policies;
    static final AtomicInteger fetches = new AtomicInteger();
    static volatile boolean policyHostDown;
    static final Map<String, String> POLICY = Map.of(
            "enforced.test", "version: STSv1\r\nmode: enforce\r\nmx: mx.enforced.test\r\nmax_age: 86400\r\n",
            "testing.test", "version: STSv1\r\nmode: testing\r\nmx: mx.testing.test\r\nmax_age: 86400\r\n",
            "othermx.test", "version: STSv1\r\nmode: enforce\r\nmx: *.elsewhere.test\r\nmax_age: 86400\r\n",
            "wrongname.test", "version: STSv1\r\nmode: enforce\r\nmx: mx.wrongname.test\r\nmax_age: 86400\r\n");

    @BeforeAll
    static void start() throws Exception {
        ca = TestPki.root("Mailflow MTA-STS Test CA");
        var names = new ArrayList<String>();
        for (String d : POLICY.keySet()) {
            names.add("mta-sts." + d);
        }
        var policyCert = ca.issue(names.toArray(String[]::new));
        policies = HttpsServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 16);
        policies.setHttpsConfigurator(new HttpsConfigurator(policyCert.serverContext()));
        policies.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        policies.createContext("/.well-known/mta-sts.txt", x -> {
            String host = x.getRequestHeaders().getFirst("Host").replaceFirst(":\\d+$", "");
            String body = POLICY.get(host.replaceFirst("^mta-sts\\.", ""));
            if (policyHostDown || body == null) {
                x.sendResponseHeaders(503, -1);
            } else {
                fetches.incrementAndGet();
                byte[] b = body.getBytes(StandardCharsets.US_ASCII);
                x.getResponseHeaders().set("Content-Type", "text/plain");
                x.sendResponseHeaders(200, b.length);
                x.getResponseBody().write(b);
            }
            x.close();
        });
        policies.start();
        withTls = PostfixPeer.start(tmp.resolve("tls"), Dnsmasq.freePort(), "enforced.test",
                List.of("user@enforced.test"), 9, ca.issue("mx.enforced.test", "mx.testing.test", "mx.othermx.test",
                        "mx.other-name.test"));
        withoutTls = PostfixPeer.start(tmp.resolve("plain"), Dnsmasq.freePort(), "enforced.test",
                List.of("user@enforced.test"), 9, null);
        var records = new ArrayList<String>();
        for (String d : POLICY.keySet()) {
            records.add("--mx-host=" + d + ",mx." + d + ",10");
            records.add("--host-record=mx." + d + ",127.0.0.1");
            records.add("--host-record=mta-sts." + d + ",127.0.0.1");
            records.add("--txt-record=_mta-sts." + d + ",v=STSv1; id=20261202");
        }
        // A domain whose policy host answers 503: its TXT record says it publishes a policy.
        records.add("--mx-host=unfetchable.test,mx.enforced.test,10");
        records.add("--host-record=mta-sts.unfetchable.test,127.0.0.1");
        records.add("--txt-record=_mta-sts.unfetchable.test,v=STSv1; id=1");
        dnsPort = Dnsmasq.freePort();
        dns = Dnsmasq.start(dnsPort, records, tmp.resolve("dnsmasq.log"));
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
        if (policies != null) {
            policies.stop(0);
        }
    }

    private static TestServer server(PostfixPeer peer) throws Exception {
        Path caFile = ca.writeCertificate(tmp.resolve("ca-" + System.nanoTime() + ".pem"));
        var lines = List.of("remote_port = " + peer.port(), "command_timeout = \"10s\"",
                "dns_server = \"127.0.0.1:" + dnsPort + "\"", "ca_file = \"" + caFile + "\"",
                "mta_sts_port = " + policies.getAddress().getPort());
        return TestServer.start(List.of("relay_from = [\"127.0.0.0/8\"]"), List.of(), lines,
                List.of("retry_intervals = [\"1h\"]"));
    }

    private static long send(TestServer server, String rcpt) throws Exception {
        return send(server, "kate@fabrikam.com", rcpt);
    }

    private static long send(TestServer server, String from, String rcpt) throws Exception {
        return RelayedMail.send(server, from, rcpt, "MTA-STS");
    }

    /** The TLS-RPT journal lines (RFC 8460 session results) recorded so far. */
    private static List<String> journal(TestServer server) throws Exception {
        var dir = server.dataDir().resolve("tls-rpt");
        var lines = new ArrayList<String>();
        if (Files.isDirectory(dir)) {
            try (var files = Files.list(dir)) {
                for (var f : files.filter(f -> f.toString().endsWith(".jsonl")).toList()) {
                    lines.addAll(Files.readAllLines(f));
                }
            }
        }
        return lines;
    }

    @Test
    void enforceDeliversToAValidCertificateOfANamedMx() throws Exception {
        try (var server = server(withTls)) {
            var e = RelayedMail.sendEvent(server, send(server, "user@enforced.test"));
            assertThat(e.tls().policy()).isEqualTo("MTA-STS enforce");
            assertThat(e.tls().authenticatedBy()).startsWith("MTA-STS, WebPKI (Mailflow MTA-STS Test CA)");
            assertThat(Files.list(server.dataDir().resolve("mta-sts")).toList()).isNotEmpty();
            // TLS-RPT: the session is counted under the policy it met.
            assertThat(journal(server)).singleElement().asString().contains("enforced.test").contains("\"sts\"")
                    .contains("mx.enforced.test").doesNotContain("failure");
        }
    }

    @Test
    void aPolicyThatCannotBeFetchedIsDeliveredAsWithoutMtaStsAndReported() throws Exception {
        try (var server = server(withTls)) {
            var e = RelayedMail.sendEvent(server, send(server, "user@unfetchable.test"));
            assertThat(e.tls().policy()).isEqualTo("opportunistic");
            assertThat(journal(server)).anySatisfy(l -> assertThat(l).contains("unfetchable.test")
                    .contains("sts-policy-fetch-error"));
        }
    }

    @Test
    void theDeliveryOfAReportIsNotItselfReported() throws Exception {
        try (var server = server(withTls)) {
            var e = RelayedMail.sendEvent(server, send(server, "noreply-tlsrpt@mail1.fabrikam.com", "user@enforced.test"));
            assertThat(e.tls().policy()).isEqualTo("MTA-STS enforce");
            assertThat(journal(server)).isEmpty();
        }
    }

    @Test
    void enforceNeverSendsInPlaintext() throws Exception {
        try (var server = server(withoutTls)) {
            long id = send(server, "user@enforced.test");
            var m = RelayedMail.deferred(server, id);
            assertThat(m.status().lastError()).contains("offers no STARTTLS")
                    .contains("the TLS policy (MTA-STS enforce) requires TLS");
            assertThat(m.status().recipients().get(0).enhancedStatus()).hasToString("4.7.5");
            assertThat(RelayedMail.sends(server, id)).isEmpty();
        }
    }

    @Test
    void enforceSkipsAnMxThePolicyDoesNotName() throws Exception {
        try (var server = server(withTls)) {
            long id = send(server, "user@othermx.test");
            var m = RelayedMail.deferred(server, id);
            assertThat(m.status().lastError()).isEqualTo("TLS policy of othermx.test: MX host mx.othermx.test is not "
                    + "one the MTA-STS policy of othermx.test names (mode enforce)");
            assertThat(RelayedMail.sends(server, id)).isEmpty();
        }
    }

    @Test
    void enforceRefusesACertificateForAnotherHost() throws Exception {
        try (var server = server(withTls)) {
            long id = send(server, "user@wrongname.test");
            var m = RelayedMail.deferred(server, id);
            assertThat(m.status().lastError()).contains("does not name mx.wrongname.test").contains("MTA-STS enforce");
            assertThat(RelayedMail.sends(server, id)).isEmpty();
            // The failure names the MX's EHLO name (Postfix's myhostname) and our own address.
            assertThat(journal(server)).isNotEmpty().allSatisfy(l -> assertThat(l).contains("wrongname.test")
                    .contains("certificate-host-mismatch").contains("mx.enforced.test").contains("127.0.0.1"));
        }
    }

    @Test
    void testingDeliversWithoutTlsAndOnlyReports() throws Exception {
        try (var server = server(withoutTls)) {
            var e = RelayedMail.sendEvent(server, send(server, "user@testing.test"));
            assertThat(e.tls().policy()).isEqualTo("MTA-STS testing");
            assertThat(e.tls().protocol()).isNull();
        }
    }

    @Test
    void aCachedPolicyIsUsedWhenThePolicyHostIsDown() throws Exception {
        try (var server = server(withTls)) {
            RelayedMail.sendEvent(server, send(server, "user@enforced.test"));
            int before = fetches.get();
            // The policy host goes down: the next delivery still enforces, from the cache.
            policyHostDown = true;
            try {
                var e = RelayedMail.sendEvent(server, send(server, "user@enforced.test"));
                assertThat(e.tls().policy()).isEqualTo("MTA-STS enforce");
            } finally {
                policyHostDown = false;
            }
            assertThat(fetches.get()).isEqualTo(before);
        }
    }
}
