package dev.mailflow.app;

import dev.mailflow.dns.CachingResolver;
import dev.mailflow.dns.DnsAnswer;
import dev.mailflow.dns.DnsjavaResolver;
import dev.mailflow.dns.DnsResolver;
import dev.mailflow.dns.RecordType;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The running server's one resolver: {@code [delivery] dns_server} (or the system's resolvers)
 * with the one shared cache in front ({@link DnsResolver#create(String)}). Every part that asks
 * DNS (remote delivery, the receive side's checks) holds this same object; a reload that
 * changes {@code dns_server} points it at the new server with a fresh cache (answers of the
 * old server are not the new one's), and nobody has to be handed a new resolver.
 */
final class ConfiguredDns implements DnsResolver {

    private record Current(String server, Path anchor, DnsResolver resolver) {
    }

    private volatile Current current;

    /**
     * @param server "host:port", or null for the system's resolvers
     * @throws IllegalArgumentException when {@code server} is not an address (the loader checks it first)
     */
    ConfiguredDns(String server) {
        this(server, null);
    }

    /**
     * @param anchor {@code [delivery] dnssec_trust_anchor}: DNSSEC validated here from this file
     *               of DS or DNSKEY records, or from the root's keys for
     *               {@link DeliveryConfig#ROOT_ANCHOR}; null to believe a loopback resolver's AD bit
     */
    ConfiguredDns(String server, Path anchor) {
        this.current = new Current(server, anchor, create(server, anchor));
    }

    private static DnsResolver create(String server, Path anchor) {
        var builder = server == null ? DnsjavaResolver.builder().systemServers()
                : DnsjavaResolver.builder().server(server);
        if (anchor != null && anchor.toString().equals(DeliveryConfig.ROOT_ANCHOR)) {
            builder.rootTrustAnchor();
        } else if (anchor != null) {
            builder.trustAnchors(anchor);
        }
        return new CachingResolver(builder.build());
    }

    /** The configured server, or null for the system's resolvers. */
    String server() {
        return current.server();
    }

    /**
     * Uses {@code server} from now on; the same server keeps its cache.
     *
     * @throws IllegalArgumentException when {@code server} is not an address; nothing changes then
     */
    void use(String server) {
        use(server, current.anchor());
    }

    /** As {@link #use(String)}, with the DNSSEC trust anchor too. */
    void use(String server, Path anchor) {
        if (!Objects.equals(server, current.server()) || !Objects.equals(anchor, current.anchor())) {
            current = new Current(server, anchor, create(server, anchor));
        }
    }

    @Override
    public <T> DnsAnswer<T> lookup(String name, RecordType<T> type) {
        return current.resolver().lookup(name, type);
    }

    @Override
    public String toString() {
        return current.resolver().toString();
    }
}
