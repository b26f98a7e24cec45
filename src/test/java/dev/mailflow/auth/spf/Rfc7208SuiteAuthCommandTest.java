package dev.mailflow.auth.spf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailflow.testing.Dnsmasq;
import dev.mailflow.testing.MainRunner;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance: {@code mailflow auth --json} gives the suite's expected result on
 * every test of the OpenSPF rfc7208-tests.yml, each scenario's zone served by a real DNS server
 * on loopback (dnsmasq, as {@link Rfc7208SuiteDnsmasqTest} serves it), the command run through
 * picocli as a user runs it, and its exit code agreeing (0 for pass and none, 1 otherwise).
 * Where a test allows two results either counts; where it gives an explanation (exp=), the
 * JSON's must be it.
 *
 * <p>What dnsmasq cannot serve: a CNAME loop (it refuses one in its configuration): the names
 * of a loop are left out, so they do not exist and the case still gets the suite's result
 * (the loop itself is covered by {@link Rfc7208SuiteTest} in the zone fake, which answers a loop
 * with SERVFAIL as resolvers do). TIMEOUT names are forwarded to a UDP socket that never
 * answers, so those cases see real timeouts (here 0.3 s a try, two tries).
 */
class Rfc7208SuiteAuthCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void mailflowAuthGivesTheSuitesResultOnEveryTestThroughDnsmasq() throws Exception {
        int total = 0;
        var failures = new ArrayList<String>();
        try (var silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            int n = 0;
            for (var scenario : OpenSpfSuite.load()) {
                var args = Rfc7208SuiteDnsmasqTest.dnsmasqArgs(scenario, silent.getLocalPort());
                try (var dnsmasq = Dnsmasq.start(Dnsmasq.freePort(), args, dir.resolve("dnsmasq" + n++ + ".log"))) {
                    for (var c : scenario.cases()) {
                        total++;
                        String problem = run(c, "127.0.0.1:" + dnsmasq.port());
                        if (problem != null) {
                            failures.add(c + ": " + problem);
                        }
                    }
                }
            }
        }
        System.out.println("OpenSPF RFC 7208 suite through mailflow auth and dnsmasq: " + (total - failures.size())
                + " of " + total + " pass");
        failures.forEach(System.out::println);
        assertThat(total).isEqualTo(203);
        assertThat(failures).isEmpty();
    }

    /** Null when the command gives what the case expects, else what went wrong. */
    private static String run(OpenSpfSuite.Case c, String dns) throws Exception {
        var r = MainRunner.run("auth", "--ip", c.host(), "--helo=" + c.helo(), "--from=" + c.mailFrom(),
                "--dns-server", dns, "--timeout", "0.3", "--json");
        if (r.code() == 2 || !r.err().isEmpty()) {
            return "exit " + r.code() + ": " + r.err();
        }
        JsonNode spf = JSON.readTree(r.out()).path("spf");
        String result = spf.path("result").asText();
        if (!c.results().contains(result)) {
            return "expected " + c.results() + " but got " + result + ": " + spf.path("reason").asText();
        }
        int expectedCode = result.equals("pass") || result.equals("none") ? 0 : 1;
        if (r.code() != expectedCode) {
            return "exit " + r.code() + " for " + result;
        }
        if (c.explanation() != null) {
            String expected = c.explanation().equals("DEFAULT") ? null : c.explanation();
            String got = spf.path("explanation").isNull() ? null : spf.path("explanation").asText();
            if (!Objects.equals(expected, got)) {
                return "expected explanation " + expected + " but got " + got;
            }
        }
        return null;
    }
}
