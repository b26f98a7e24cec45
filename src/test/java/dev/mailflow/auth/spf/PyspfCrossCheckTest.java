package dev.mailflow.auth.spf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailflow.dns.CachingResolver;
import dev.mailflow.dns.DnsjavaResolver;
import dev.mailflow.testing.Dnsmasq;
import dev.mailflow.testing.ExternalTool;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mailflow and pyspf (Debian's python3-spf, the reference implementation the OpenSPF suite
 * came with) judge the same cases through the same DNS server, dnsmasq on loopback, and must
 * agree with each other and with the result we expect.
 */
class PyspfCrossCheckTest {

    /** A case; {@code pyspf} is pyspf's result where it knowingly differs, else null. */
    record Case(String name, String ip, String mailFrom, String helo, SpfResult expected, SpfResult pyspf) {
        Case(String name, String ip, String mailFrom, String helo, SpfResult expected) {
            this(name, ip, mailFrom, helo, expected, null);
        }
    }

    private static final List<String> ZONES = List.of(
            "--local-ttl=60",
            "--txt-record=ip4.test,v=spf1 ip4:192.0.2.0/24 -all",
            "--txt-record=soft.test,v=spf1 ip4:192.0.2.1 ~all",
            "--txt-record=neutral.test,v=spf1 ?all",
            "--txt-record=default.test,v=spf1 ip4:192.0.2.1",
            "--txt-record=nospf.test,hello world",
            "--txt-record=bad.test,v=spf1 ip4:192.0.2.300 -all",
            "--txt-record=unknown.test,v=spf1 moo -all",
            "--txt-record=two.test,v=spf1 -all",
            "--txt-record=two.test,v=spf1 +all",
            "--txt-record=inc.test,v=spf1 include:ip4.test -all",
            "--txt-record=incnone.test,v=spf1 include:nospf.test -all",
            "--txt-record=redir.test,v=spf1 redirect=ip4.test",
            "--txt-record=macro.test,v=spf1 exists:%{i}.%{l}.allow.test -all",
            "--host-record=192.0.2.20.kate.allow.test,127.0.0.2",
            "--txt-record=macro2.test,v=spf1 include:%{d2}.spf.macro.test -all",
            "--txt-record=macro2.test.spf.macro.test,v=spf1 ip4:192.0.2.21 -all",
            "--txt-record=void.test,v=spf1 a:n1.void.test a:n2.void.test a:n3.void.test ip4:192.0.2.30 -all",
            "--txt-record=void2.test,v=spf1 a:n1.void.test a:n2.void.test ip4:192.0.2.30 -all",
            "--txt-record=limit.test,v=spf1 a a a a a a a a a a a ip4:192.0.2.40 -all",
            "--host-record=limit.test,203.0.113.99",
            "--txt-record=atlimit.test,v=spf1 a a a a a a a a a a ip4:192.0.2.40 -all",
            "--host-record=atlimit.test,203.0.113.99",
            "--txt-record=mx.test,v=spf1 mx -all",
            "--mx-host=mx.test,mail.mx.test,10",
            "--host-record=mail.mx.test,192.0.2.50",
            "--txt-record=cidr.test,v=spf1 a:host.cidr.test/24 -all",
            "--host-record=host.cidr.test,192.0.2.1",
            "--txt-record=helo.test,v=spf1 ip4:192.0.2.60 -all",
            "--txt-record=ptr.test,v=spf1 ptr -all",
            "--host-record=mail.ptr.test,192.0.2.70",
            "--local=/2.0.192.in-addr.arpa/", // other PTR names there: NXDOMAIN
            "--txt-record=ptr6.test,v=spf1 ptr ~all", // from 2001:db8::/32, whose ip6.arpa dnsmasq refuses
            "--txt-record=v6.test,v=spf1 ip6:2001:db8::/32 -all",
            "--txt-record=expl.test,v=spf1 -all exp=why.expl.test",
            "--txt-record=why.expl.test,%{i} is not one of %{d}'s servers",
            "--txt-record=tmp.test,v=spf1 include:dead.timeout.test -all");

    private static final List<Case> CASES = List.of(
            new Case("ip4 pass", "192.0.2.10", "kate@ip4.test", "mx.test", SpfResult.PASS),
            new Case("ip4 fail", "198.51.100.1", "kate@ip4.test", "mx.test", SpfResult.FAIL),
            new Case("softfail", "198.51.100.1", "kate@soft.test", "mx.test", SpfResult.SOFTFAIL),
            new Case("neutral", "198.51.100.1", "kate@neutral.test", "mx.test", SpfResult.NEUTRAL),
            new Case("neutral by default", "198.51.100.1", "kate@default.test", "mx.test", SpfResult.NEUTRAL),
            new Case("none: no spf1 TXT", "192.0.2.1", "kate@nospf.test", "mx.test", SpfResult.NONE),
            new Case("none: NXDOMAIN", "192.0.2.1", "kate@nowhere.test", "mx.test", SpfResult.NONE),
            new Case("permerror: bad ip4", "192.0.2.1", "kate@bad.test", "mx.test", SpfResult.PERMERROR),
            new Case("permerror: unknown mechanism", "192.0.2.1", "kate@unknown.test", "mx.test", SpfResult.PERMERROR),
            new Case("permerror: two records", "192.0.2.1", "kate@two.test", "mx.test", SpfResult.PERMERROR),
            new Case("temperror: include times out", "192.0.2.1", "kate@tmp.test", "mx.test", SpfResult.TEMPERROR),
            new Case("include pass", "192.0.2.10", "kate@inc.test", "mx.test", SpfResult.PASS),
            new Case("include fail is no match", "198.51.100.1", "kate@inc.test", "mx.test", SpfResult.FAIL),
            new Case("include of none", "192.0.2.10", "kate@incnone.test", "mx.test", SpfResult.PERMERROR),
            new Case("redirect pass", "192.0.2.10", "kate@redir.test", "mx.test", SpfResult.PASS),
            new Case("redirect fail", "198.51.100.1", "kate@redir.test", "mx.test", SpfResult.FAIL),
            new Case("macros %{i} %{l} match", "192.0.2.20", "kate@macro.test", "mx.test", SpfResult.PASS),
            new Case("macros %{i} %{l} no match", "192.0.2.20", "bob@macro.test", "mx.test", SpfResult.FAIL),
            new Case("macro %{d2} in include", "192.0.2.21", "kate@macro2.test", "mx.test", SpfResult.PASS),
            new Case("three void lookups", "192.0.2.30", "kate@void.test", "mx.test", SpfResult.PERMERROR),
            new Case("two void lookups", "192.0.2.30", "kate@void2.test", "mx.test", SpfResult.PASS),
            new Case("eleven lookups", "192.0.2.40", "kate@limit.test", "mx.test", SpfResult.PERMERROR),
            new Case("ten lookups", "192.0.2.40", "kate@atlimit.test", "mx.test", SpfResult.PASS),
            new Case("mx pass", "192.0.2.50", "kate@mx.test", "x.test", SpfResult.PASS),
            new Case("mx fail", "192.0.2.51", "kate@mx.test", "x.test", SpfResult.FAIL),
            new Case("a with /24", "192.0.2.77", "kate@cidr.test", "x.test", SpfResult.PASS),
            new Case("null sender: HELO pass", "192.0.2.60", "", "helo.test", SpfResult.PASS),
            new Case("null sender: HELO fail", "192.0.2.61", "", "helo.test", SpfResult.FAIL),
            new Case("ptr validated", "192.0.2.70", "kate@ptr.test", "x.test", SpfResult.PASS),
            new Case("ptr not validated", "192.0.2.71", "kate@ptr.test", "x.test", SpfResult.FAIL),
            // RFC 7208 5.5: "If a DNS error occurs while doing the PTR RR lookup, then this mechanism
            // fails to match." pyspf makes it a temperror instead.
            new Case("ptr lookup refused", "2001:db8::77", "kate@ptr6.test", "x.test", SpfResult.SOFTFAIL,
                    SpfResult.TEMPERROR),
            new Case("ip6 pass", "2001:db8::5", "kate@v6.test", "x.test", SpfResult.PASS),
            new Case("ip6 fail", "2001:db9::5", "kate@v6.test", "x.test", SpfResult.FAIL),
            new Case("fail with exp", "198.51.100.1", "kate@expl.test", "x.test", SpfResult.FAIL));

    @TempDir
    Path dir;

    @Test
    void mailflowAndPyspfAgreeOnEveryCase() throws Exception {
        Path python = pythonWithPyspf();
        ExternalTool.require("dnsmasq");
        try (var silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            var zones = new ArrayList<>(ZONES);
            zones.add("--server=/timeout.test/127.0.0.1#" + silent.getLocalPort());
            try (var dnsmasq = Dnsmasq.start(Dnsmasq.freePort(), zones, dir.resolve("dnsmasq.log"))) {
                var resolver = new CachingResolver(DnsjavaResolver.builder().server("127.0.0.1:" + dnsmasq.port())
                        .timeout(Duration.ofMillis(700)).tries(2).build());
                var spf = new Spf(resolver);
                var theirs = pyspf(python, dnsmasq.port());
                var disagreements = new ArrayList<String>();
                for (int i = 0; i < CASES.size(); i++) {
                    var c = CASES.get(i);
                    var ours = spf.checkMailFrom(InetAddress.getByName(c.ip()), c.mailFrom(), c.helo());
                    String their = (String) theirs.get(i).get("result");
                    String line = c.name() + ": expected " + c.expected()
                            + (c.pyspf() != null ? " (pyspf: " + c.pyspf() + ")" : "") + ", Mailflow " + ours.result() + " ("
                            + ours.reason() + "), pyspf " + their;
                    System.out.println(line);
                    var theirExpected = c.pyspf() != null ? c.pyspf() : c.expected();
                    if (ours.result() != c.expected() || !their.equals(theirExpected.word())) {
                        disagreements.add(line);
                    }
                    if (c.name().equals("fail with exp")) {
                        assertThat(ours.explanation()).contains("198.51.100.1 is not one of expl.test's servers");
                    }
                    if (ours.explanation().isPresent()) {
                        assertThat(theirs.get(i).get("explanation")).as(c.name()).isEqualTo(ours.explanation().get());
                    }
                }
                assertThat(CASES.stream().filter(c -> c.pyspf() == null)).hasSizeGreaterThanOrEqualTo(15);
                assertThat(disagreements).isEmpty();
            }
        }
    }

    private List<Map<String, Object>> pyspf(Path python, int port) throws Exception {
        Path script = dir.resolve("pyspf_check.py");
        try (var in = getClass().getResourceAsStream("pyspf_check.py")) {
            Files.copy(in, script);
        }
        var json = new ObjectMapper();
        var input = new StringBuilder();
        for (var c : CASES) {
            input.append(json.writeValueAsString(Map.of("i", c.ip(), "s", c.mailFrom(), "h", c.helo()))).append('\n');
        }
        var p = new ProcessBuilder(python.toString(), script.toString(), Integer.toString(port))
                .redirectError(dir.resolve("pyspf.err").toFile()).start();
        p.getOutputStream().write(input.toString().getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        var out = new ArrayList<Map<String, Object>>();
        try (var r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                @SuppressWarnings("unchecked")
                Map<String, Object> m = json.readValue(line, Map.class);
                out.add(m);
            }
        }
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(out).as("pyspf's answers (errors in " + dir.resolve("pyspf.err") + ": "
                + Files.readString(dir.resolve("pyspf.err")) + ")").hasSize(CASES.size());
        return out;
    }

    /** Debian's python3 with its spf module (a python3 elsewhere on the PATH may lack it). */
    private static Path pythonWithPyspf() throws Exception {
        Path debian = Path.of("/usr/bin/python3");
        Path python = Files.isExecutable(debian) ? debian : ExternalTool.require("python3");
        var p = new ProcessBuilder(python.toString(), "-c", "import spf").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
            return python;
        }
        String message = "*** pyspf is not installed: the SPF cross-check with it cannot run. Install it "
                + "(apt-get install python3-spf) or run .ci/run as root. ***";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(message + " (CI=true: a missing tool is a failure)");
        }
        System.err.println(message);
        return org.junit.jupiter.api.Assumptions.abort(message);
    }
}
