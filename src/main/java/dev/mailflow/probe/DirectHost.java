package dev.mailflow.probe;

import dev.mailflow.dns.DnsAnswer;
import dev.mailflow.dns.DnsjavaResolver;
import java.net.InetAddress;
import java.time.Duration;

/**
 * The address to connect to for a host given directly (the server checks: {@code --addresses},
 * {@code --relay-test}, {@code --conformance}, and the console's): through the DNS server the
 * user named when there is one (never the system resolver then), else the host as it is.
 */
public final class DirectHost {

    /** Why there is no address. */
    public enum Problem {
        /** The DNS server answered: the name has no A or AAAA record. */
        NO_ADDRESS,
        /** The DNS server did not answer (or failed) within the time given. */
        DNS_DOWN
    }

    /** An address to connect to, or the problem (then {@code address} is null). */
    public record Resolved(String address, Problem problem) {
    }

    private DirectHost() {
    }

    /**
     * @param dnsServer "host:port" of the DNS server to ask, or null (the host is used as it is)
     * @param timeout   how long the lookups may take in all (A, then AAAA when there is no A)
     */
    public static Resolved resolve(String host, String dnsServer, Duration timeout) {
        if (dnsServer == null || dnsServer.isBlank() || host.matches("[0-9.]+") || host.contains(":")) {
            return new Resolved(host, null);
        }
        var dns = DnsjavaResolver.builder().server(dnsServer.strip())
                .timeout(Duration.ofMillis(Math.max(500, timeout.toMillis() / 2))).tries(1).build();
        DnsAnswer<InetAddress> found = dns.a(host);
        if (found.records().isEmpty() && !(found instanceof DnsAnswer.TempFail<?>)) {
            found = dns.aaaa(host);
        }
        if (!found.records().isEmpty()) {
            return new Resolved(found.records().get(0).getHostAddress(), null);
        }
        return new Resolved(null, found instanceof DnsAnswer.TempFail<?> ? Problem.DNS_DOWN : Problem.NO_ADDRESS);
    }
}
