package dev.mailflow.auth.spf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.dns.DnsjavaResolver;
import dev.mailflow.testing.Dnsmasq;
import java.io.ByteArrayOutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenSPF RFC 7208 suite again, through a real DNS server: each scenario's zone served by
 * dnsmasq on loopback (records as raw --dns-rr data, so that any octet and any owner name can
 * be served and no PTR record appears that the zone does not have), TIMEOUT names forwarded
 * to a UDP socket that never answers, and Mailflow's dnsjava resolver asking it.
 */
class Rfc7208SuiteDnsmasqTest {

    @TempDir
    Path dir;

    @Test
    void everyTestOfTheSuitePassesThroughDnsmasq() throws Exception {
        int total = 0;
        var failures = new ArrayList<String>();
        try (var silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            int n = 0;
            for (var scenario : OpenSpfSuite.load()) {
                var args = dnsmasqArgs(scenario, silent.getLocalPort());
                try (var dnsmasq = Dnsmasq.start(Dnsmasq.freePort(), args, dir.resolve("dnsmasq" + n++ + ".log"))) {
                    var resolver = DnsjavaResolver.builder().server("127.0.0.1:" + dnsmasq.port())
                            .timeout(Duration.ofMillis(400)).tries(1).build();
                    var spf = new Spf(resolver);
                    for (var c : scenario.cases()) {
                        total++;
                        var outcome = spf.checkMailFrom(InetAddress.getByName(c.host()), c.mailFrom(), c.helo());
                        String problem = Rfc7208SuiteTest.problem(c, outcome);
                        if (problem != null) {
                            failures.add(c + ": " + problem);
                        }
                    }
                }
            }
        }
        System.out.println("OpenSPF RFC 7208 suite through dnsmasq: " + (total - failures.size()) + " of " + total + " pass");
        failures.forEach(System.out::println);
        assertThat(total).isEqualTo(203);
        assertThat(failures).isEmpty();
    }

    /** The scenario's zone as dnsmasq options, by the suite drivers' rules (see {@link OpenSpfSuite}). */
    static List<String> dnsmasqArgs(OpenSpfSuite.Scenario scenario, int silentPort) {
        var args = new ArrayList<String>();
        scenario.zone().forEach((name, entries) -> {
            String owner = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
            boolean hasTxt = entries.stream().anyMatch(e -> e.type().equals("TXT"));
            boolean answersSomething = false;
            boolean timeout = false;
            for (var e : entries) {
                switch (e.type()) {
                    case "TIMEOUT" -> timeout = true;
                    case "A" -> {
                        args.add(rr(owner, 1, address((String) e.value())));
                        answersSomething = true;
                    }
                    case "AAAA" -> {
                        args.add(rr(owner, 28, address((String) e.value())));
                        answersSomething = true;
                    }
                    case "MX" -> {
                        var mx = (List<?>) e.value();
                        int pref = ((Number) mx.get(0)).intValue();
                        var out = new ByteArrayOutputStream();
                        out.write(pref >> 8);
                        out.write(pref);
                        out.writeBytes(wire((String) mx.get(1)));
                        args.add(rr(owner, 15, out.toByteArray()));
                        answersSomething = true;
                    }
                    case "PTR" -> {
                        args.add(rr(owner, 12, wire((String) e.value())));
                        answersSomething = true;
                    }
                    case "CNAME" -> {
                        // dnsmasq refuses a CNAME loop in its configuration; a name in a loop is left
                        // out, so it does not exist: lookups of it find nothing, as a loop gives nothing.
                        if (!inLoop(scenario, owner)) {
                            args.add("--cname=" + owner + "," + strip((String) e.value()));
                        }
                        answersSomething = true;
                    }
                    case "TXT", "SPF" -> {
                        var strings = OpenSpfSuite.strings(e.value());
                        if (!strings.equals(List.of("NONE")) && (e.type().equals("TXT") || !hasTxt)) {
                            args.add(rr(owner, 16, txt(strings)));
                            answersSomething = true;
                        }
                    }
                    default -> throw new IllegalStateException(e.type());
                }
            }
            if (timeout && !answersSomething) {
                args.add("--server=/" + owner + "/127.0.0.1#" + silentPort);
            }
        });
        // Every name not served is NXDOMAIN (dnsmasq's "#" is any domain; "//" unqualified names),
        // and a name below a TIMEOUT name is answered here too: the marker is for that name alone.
        args.add("--local=/#/");
        args.add("--local=//");
        var forwarded = args.stream().filter(a -> a.startsWith("--server=/"))
                .map(a -> a.substring("--server=/".length(), a.indexOf('/', "--server=/".length()))).toList();
        for (String name : scenario.zone().keySet()) {
            String owner = strip(name).toLowerCase(Locale.ROOT);
            if (forwarded.stream().anyMatch(f -> owner.endsWith("." + f.toLowerCase(Locale.ROOT)))) {
                args.add("--local=/" + owner + "/");
            }
        }
        return args;
    }

    private static boolean inLoop(OpenSpfSuite.Scenario scenario, String start) {
        var seen = new TreeSet<String>();
        String n = start.toLowerCase(Locale.ROOT);
        while (seen.add(n)) {
            String current = n;
            var target = scenario.zone().entrySet().stream().filter(z -> strip(z.getKey()).equalsIgnoreCase(current))
                    .flatMap(z -> z.getValue().stream()).filter(e -> e.type().equals("CNAME")).findFirst();
            if (target.isEmpty()) {
                return false;
            }
            n = strip((String) target.get().value()).toLowerCase(Locale.ROOT);
        }
        return true;
    }

    private static String rr(String owner, int type, byte[] rdata) {
        return "--dns-rr=" + owner + "," + type + "," + HexFormat.of().formatHex(rdata);
    }

    private static byte[] address(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(literal);
        }
    }

    private static String strip(String name) {
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    private static byte[] wire(String name) {
        var out = new ByteArrayOutputStream();
        String n = strip(name);
        if (!n.isEmpty()) {
            for (String label : n.split("\\.")) {
                byte[] b = label.getBytes(StandardCharsets.UTF_8);
                out.write(b.length);
                out.writeBytes(b);
            }
        }
        out.write(0);
        return out.toByteArray();
    }

    /** TXT rdata: each string as UTF-8 (as pyspf's driver encodes them), cut in 255-octet pieces. */
    private static byte[] txt(List<String> strings) {
        var out = new ByteArrayOutputStream();
        for (String s : strings) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            int i = 0;
            do {
                int len = Math.min(255, b.length - i);
                out.write(len);
                out.write(b, i, len);
                i += len;
            } while (i < b.length);
        }
        return out.toByteArray();
    }
}
