package dev.mailflow.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.testing.Dnsmasq;
import dev.mailflow.testing.MainRunner;
import dev.mailflow.testing.TestServer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The probe's option mistakes, refused before anything is sent; a host name through --dns-server only. */
class ProbeUsageTest {

    @TempDir
    Path tmp;

    private static void usage(String expected, String... args) {
        var r = MainRunner.run(args);
        assertThat(r.code()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(2);
        assertThat(r.err()).contains(expected).doesNotContain("Exception");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void mistakesAreRefusedFirst() {
        usage("separate tests: choose one per run", "probe", "127.0.0.1:9", "--conformance", "--relay-test", "--to",
                "a@b.test");
        usage("does not go with --quit-after", "probe", "127.0.0.1:9", "--round-trip", "--to", "a@b.test", "--from",
                "me@c.test", "--return-listen", "127.0.0.1:2599", "--quit-after", "RCPT");
        usage("--wait goes with --round-trip", "probe", "127.0.0.1:9", "--wait", "30");
        usage("--log /nonexistent/dir/x.log: cannot write there", "probe", "127.0.0.1:9", "--log",
                "/nonexistent/dir/x.log");
        usage("--return-listen nonsense: give an address and port the far side can reach", "probe", "127.0.0.1:9",
                "--round-trip", "--to", "a@b.test", "--from", "me@c.test", "--return-listen", "nonsense");
        usage("a port from 1 to 65535", "probe", "127.0.0.1:9", "--round-trip", "--to", "a@b.test", "--from",
                "me@c.test", "--return-listen", "127.0.0.1:0");
        usage("choose one", "probe", "127.0.0.1:9", "--round-trip", "--to", "a@b.test", "--from", "me@c.test",
                "--return-listen", "127.0.0.1:2599", "--return-config", "x.toml");
    }

    @Test
    void aRelayTestThatCouldNotConnectSaysSo() throws Exception {
        var r = MainRunner.run("probe", "127.0.0.1:" + Dnsmasq.freePort(), "--relay-test", "--to", "a@b.test",
                "--timeout", "2");
        assertThat(r.code()).isEqualTo(3);
        assertThat(r.out()).contains("Not tested: no attempt got as far as RCPT").doesNotContain("Not an open relay");
    }

    @Test
    void aHostNameOfTheAddressChecksGoesThroughTheDnsServerGiven() throws Exception {
        int dnsPort = Dnsmasq.freePort();
        try (var dns = Dnsmasq.start(dnsPort, List.of("--host-record=mx1.usage.test,127.0.0.1"), tmp.resolve("d.log"));
             var server = TestServer.start(List.of(), List.of())) {
            var r = MainRunner.run("probe", "mx1.usage.test:" + server.port(), "--addresses", "--to",
                    "postmaster@example.test", "--dns-server", "127.0.0.1:" + dnsPort, "--timeout", "5");
            assertThat(r.code()).as(r.out() + r.err()).isZero();
            assertThat(r.out()).contains("postmaster@example.test");
            var none = MainRunner.run("probe", "mx9.usage.test:" + server.port(), "--addresses", "--to",
                    "postmaster@example.test", "--dns-server", "127.0.0.1:" + dnsPort, "--timeout", "5");
            assertThat(none.code()).isEqualTo(3);
            assertThat(none.err()).isEqualTo("mailflow: mx9.usage.test: no A or AAAA record at the DNS server 127.0.0.1:"
                    + dnsPort + "\n");
        }
    }
}
