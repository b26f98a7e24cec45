package dev.mailflow.probe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailflow.queue.QueueJson;
import dev.mailflow.testing.Dnsmasq;
import dev.mailflow.testing.MainRunner;
import dev.mailflow.testing.ScriptedPeer;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mailflow probe DOMAIN}: every MX and every address, through dnsmasq (MX, A, PTR, a
 * block list's A and TXT). matrix.test has four MX: mx1 answers (and greylists the second
 * session: the matrix's); mx2 has two addresses, one down (nothing listens) and one that
 * refuses with 554 and is on the block list; mx3 a tarpit that holds its banner; mx4 has no
 * address.
 */
class MxMatrixTest {

    @TempDir
    static Path tmp;

    static Dnsmasq dns;
    static int port;
    static final List<ScriptedPeer> peers = new ArrayList<>();

    static final List<String> RECORDS = List.of(
            "--mx-host=matrix.test,mx1.matrix.test,10", "--mx-host=matrix.test,mx2.matrix.test,20",
            "--mx-host=matrix.test,mx3.matrix.test,30", "--mx-host=matrix.test,mx4.matrix.test,40",
            "--host-record=mx1.matrix.test,127.0.0.2", "--host-record=mx2.matrix.test,127.0.0.3",
            "--host-record=mx2.matrix.test,127.0.0.4", "--host-record=mx3.matrix.test,127.0.0.5",
            "--local=/127.in-addr.arpa/",
            "--address=/4.0.0.127.bl.test/127.0.0.2",
            "--txt-record=4.0.0.127.bl.test,\"listed for testing, see https://bl.test/4\"");

    @BeforeAll
    static void start() throws Exception {
        dns = Dnsmasq.start(Dnsmasq.freePort(), RECORDS, tmp.resolve("dnsmasq.log"));
    }

    /** New peers for each test: the first session of mx1 (the probe's own) is accepted, later ones greylisted. */
    @BeforeEach
    void peers() throws Exception {
        port = Dnsmasq.freePort(); // a new one: the tarpit's sessions of the last test may still hold the old
        peers.add(new ScriptedPeer(new ScriptedPeer.Script() {
            @Override
            public String greeting(int session) {
                return "220 mx1.matrix.test ESMTP";
            }

            @Override
            public String rcpt(int session, String line) {
                return session == 1 ? "250 2.1.5 Ok"
                        : "451 4.7.1 <user@matrix.test>: Recipient address rejected: Greylisted for 5 minutes";
            }
        }, InetAddress.getByName("127.0.0.2"), port));
        peers.add(new ScriptedPeer(new ScriptedPeer.Script() {
            @Override
            public String greeting(int session) {
                return "554 5.7.1 mx2.matrix.test: no SMTP service for you";
            }
        }, InetAddress.getByName("127.0.0.4"), port));
        peers.add(new ScriptedPeer(new ScriptedPeer.Script() {
            @Override
            public String greeting(int session) {
                try {
                    Thread.sleep(4000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return "220 mx3.matrix.test ESMTP";
            }
        }, InetAddress.getByName("127.0.0.5"), port));
    }

    @AfterEach
    void closePeers() throws Exception {
        for (var p : peers) {
            p.close();
        }
        peers.clear();
    }

    @AfterAll
    static void stop() throws Exception {
        if (dns != null) {
            dns.close();
        }
    }

    private static MainRunner.Result probe(String... extra) {
        var args = new ArrayList<>(List.of("probe", "matrix.test", "--dns-server", "127.0.0.1:" + dns.port(),
                "--port", String.valueOf(port), "--helo", "probe.test", "--to", "user@matrix.test", "--timeout", "2",
                "--dnsbl", "bl.test"));
        args.addAll(List.of(extra));
        return MainRunner.run(args.toArray(String[]::new));
    }

    @Test
    void everyMxAndEveryAddressIsTestedAndExplained() throws Exception {
        var r = probe("--json");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        JsonNode j = QueueJson.MAPPER.readTree(r.out());
        assertThat(j.path("schemaVersion").asInt()).isEqualTo(2);
        JsonNode mx = j.path("mx");
        assertThat(mx.size()).isEqualTo(4);
        assertThat(mx.get(0).path("host").asText()).isEqualTo("mx1.matrix.test");
        assertThat(mx.get(0).path("preference").asInt()).isEqualTo(10);

        JsonNode good = address(mx.get(0), "127.0.0.2");
        assertThat(good.path("result").asText()).isEqualTo("warn");
        assertThat(step(good, "CONNECT").path("status").asText()).isEqualTo("PASS");
        assertThat(step(good, "BANNER").path("status").asText()).isEqualTo("PASS");
        assertThat(step(good, "STARTTLS").path("status").asText()).isEqualTo("WARN");
        assertThat(step(good, "STARTTLS").path("detail").asText()).contains("not offered");
        assertThat(step(good, "RCPT").path("status").asText()).isEqualTo("WARN");
        assertThat(step(good, "RCPT").path("detail").asText()).contains("greylisting");
        assertThat(step(good, "PTR").path("detail").asText()).contains("mx1.matrix.test")
                .contains("the EHLO reply says peer.test");
        assertThat(step(good, "DNSBL").path("status").asText()).isEqualTo("PASS");
        assertThat(step(good, "TLS").path("status").asText()).isEqualTo("SKIP");

        JsonNode refusing = address(mx.get(1), "127.0.0.4");
        assertThat(refusing.path("result").asText()).isEqualTo("fail");
        assertThat(step(refusing, "BANNER").path("detail").asText()).contains("554 5.7.1");
        assertThat(step(refusing, "EHLO").path("status").asText()).isEqualTo("SKIP");
        assertThat(step(refusing, "DNSBL").path("status").asText()).isEqualTo("FAIL");
        assertThat(step(refusing, "DNSBL").path("detail").asText()).contains("bl.test")
                .contains("listed for testing");

        JsonNode down = address(mx.get(1), "127.0.0.3");
        assertThat(mx.get(1).path("host").asText()).isEqualTo("mx2.matrix.test");
        assertThat(down.path("result").asText()).isEqualTo("fail");
        assertThat(step(down, "CONNECT").path("detail").asText()).contains("connection refused");
        assertThat(step(down, "STARTTLS").path("status").asText()).isEqualTo("SKIP");

        JsonNode tarpit = address(mx.get(2), "127.0.0.5");
        assertThat(step(tarpit, "BANNER").path("status").asText()).isEqualTo("FAIL");
        assertThat(step(tarpit, "BANNER").path("detail").asText()).contains("tarpit")
                .contains("says nothing about them");
        assertThat(step(tarpit, "BANNER").path("millis").asLong()).isBetween(1900L, 3900L);
        assertThat(step(tarpit, "STARTTLS").path("status").asText()).isEqualTo("SKIP");
        assertThat(step(tarpit, "STARTTLS").path("detail").asText()).isEqualTo("not reached: no banner");

        assertThat(mx.get(3).path("host").asText()).isEqualTo("mx4.matrix.test");
        assertThat(mx.get(3).path("addresses").size()).isZero();
        assertThat(mx.get(3).path("problem").asText()).contains("no A or AAAA record");
    }

    @Test
    void theTextReportShowsTheMatrixAndWhatFailed() {
        var r = probe();
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("Every MX, every address")
                .containsPattern("mx1\\.matrix\\.test \\(10\\) +127\\.0\\.0\\.2 +\\[WARN\\] pass \\d+")
                .containsPattern("127\\.0\\.0\\.3 +\\[FAIL\\] fail \\d+ +-")
                .contains("mx2.matrix.test (20)")
                .contains("127.0.0.3 (mx2.matrix.test): fail")
                .contains("CONNECT: connection refused")
                .contains("mx4.matrix.test (40)");
        System.out.println(r.out());
    }

    @Test
    void firstKeepsTheOldBehaviour() throws Exception {
        var r = probe("--first", "--json");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(QueueJson.MAPPER.readTree(r.out()).path("mx").size()).isZero();
    }

    @Test
    void contradictoryOrMalformedOptionsAreUsageErrors() {
        var both = probe("--first", "--all-mx");
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.err()).contains("--all-mx and --first contradict each other");
        var bad = probe("--dnsbl", "not a zone");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--dnsbl").contains("is not a DNS list zone");
    }

    private static JsonNode address(JsonNode mx, String address) {
        for (JsonNode a : mx.path("addresses")) {
            if (a.path("address").asText().equals(address)) {
                return a;
            }
        }
        throw new AssertionError("no " + address + " in " + mx);
    }

    private static JsonNode step(JsonNode address, String name) {
        for (JsonNode s : address.path("steps")) {
            if (s.path("name").asText().equals(name)) {
                return s;
            }
        }
        throw new AssertionError("no step " + name + " in " + address);
    }
}
