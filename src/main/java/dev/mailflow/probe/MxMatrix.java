package dev.mailflow.probe;

import dev.mailflow.delivery.remote.MxResolver;
import dev.mailflow.dns.DnsAnswer;
import dev.mailflow.dns.DnsNames;
import dev.mailflow.dns.DnsResolver;
import dev.mailflow.dns.MxRecord;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every MX host of a domain and every address of each, in preference order, each tested by a
 * short session of its own ({@link AddressCheck}): the matrix of address × step that shows which
 * addresses of a domain fail and why (checktls.com's table; internet.nl's users asked to see
 * the addresses tested). MX hosts without an address are listed too, with the reason.
 */
public final class MxMatrix {

    /** Addresses tested at most in one run (a domain with more is reported as cut short). */
    public static final int MAX_ADDRESSES = 24;

    /**
     * One MX host.
     *
     * @param problem why the host has no address to test, or null
     */
    public record MxEntry(String host, int preference, boolean implicit, List<AddressEntry> addresses,
                          String problem) {
        public MxEntry {
            addresses = List.copyOf(addresses);
        }
    }

    /**
     * One address of an MX host.
     *
     * @param result  pass, warn or fail: the worst of its steps
     * @param steps   CONNECT, BANNER, EHLO, STARTTLS, CERTIFICATE, MAIL, RCPT, then PTR, DNSBL
     *                (with --dnsbl) and TLS (the grade)
     * @param summary a sentence for each step that failed or warned
     */
    public record AddressEntry(String address, String result, List<Cell> steps, List<String> summary) {
        public AddressEntry {
            steps = List.copyOf(steps);
            summary = List.copyOf(summary);
        }

        public Cell step(String name) {
            return steps.stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
        }
    }

    /**
     * One step of one address.
     *
     * @param status  PASS, WARN, FAIL or SKIP (not reached, or not asked for)
     * @param millis  its time (0 for a step that did not run)
     * @param detail  what happened, in a sentence
     * @param details step data (the certificate, the reverse DNS, the list answers, the grade)
     */
    public record Cell(String name, String status, long millis, String detail, Map<String, Object> details) {
        public Cell {
            details = details == null ? Map.of() : details;
        }
    }

    private MxMatrix() {
    }

    /**
     * Tests every address of every host.
     *
     * @param domain the domain whose MX records {@code hosts} came from, or null for a host given directly
     * @param hosts  the hosts as the DNS step found them (with addresses)
     */
    public static List<MxEntry> run(DnsResolver dns, String domain, List<MxResolver.MxHost> hosts, int port,
                                    AddressCheck check, Probe.Listener listener) {
        var entries = new ArrayList<MxEntry>();
        int tested = 0;
        for (var h : withUnresolved(dns, domain, hosts)) {
            if (h.addresses().isEmpty()) {
                entries.add(new MxEntry(h.name(), h.preference(), h.implicit(), List.of(),
                        Messages.text("matrix.noAddressRecord", h.name())));
                continue;
            }
            var addresses = new ArrayList<AddressEntry>();
            String problem = null;
            for (InetAddress a : h.addresses()) {
                if (tested == MAX_ADDRESSES) {
                    problem = Messages.text("matrix.tooManyAddresses", MAX_ADDRESSES);
                    break;
                }
                tested++;
                String where = h.name() + " [" + a.getHostAddress() + "]:" + port;
                listener.waiting("testing " + where);
                addresses.add(check.run(h.name(), new InetSocketAddress(a, port)));
            }
            entries.add(new MxEntry(h.name(), h.preference(), h.implicit(), addresses, problem));
        }
        return entries;
    }

    /**
     * The hosts, with the MX records whose names have no address (the resolver drops them, as a
     * sender does) added in preference order, so that the report shows them.
     */
    private static List<MxResolver.MxHost> withUnresolved(DnsResolver dns, String domain,
                                                          List<MxResolver.MxHost> hosts) {
        if (domain == null || hosts.isEmpty() || hosts.get(0).implicit()) {
            return hosts;
        }
        var all = new ArrayList<>(hosts);
        var known = new LinkedHashSet<String>();
        hosts.forEach(h -> known.add(h.name()));
        if (dns.mx(DnsNames.normalize(domain).orElse(domain)) instanceof DnsAnswer.Found<MxRecord> f) {
            for (var r : f.records()) {
                String name = r.host().toLowerCase(Locale.ROOT);
                name = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
                if (!r.isRoot() && known.add(name)) {
                    all.add(new MxResolver.MxHost(name, r.preference(), List.of(), false));
                }
            }
        }
        all.sort(Comparator.comparingInt(MxResolver.MxHost::preference));
        return all;
    }

    /** pass, warn or fail for the whole matrix: fail when no address passes or warns, warn when one fails. */
    public static String overall(List<MxEntry> entries) {
        boolean anyGood = false;
        boolean anyBad = false;
        boolean anyWarn = false;
        for (var e : entries) {
            if (e.addresses().isEmpty()) {
                anyWarn = true;
            }
            for (var a : e.addresses()) {
                switch (a.result()) {
                    case "fail" -> anyBad = true;
                    case "warn" -> {
                        anyGood = true;
                        anyWarn = true;
                    }
                    default -> anyGood = true;
                }
            }
        }
        if (!anyGood) {
            return "fail";
        }
        return anyBad || anyWarn ? "warn" : "pass";
    }
}
