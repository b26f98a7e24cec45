package dev.mailflow.dns;

import java.net.InetAddress;

/**
 * The one way Mailflow asks DNS a question. Implementations: {@link DnsjavaResolver} (the
 * network), {@link CachingResolver} (the shared cache in front of it) and {@link Zone} (an
 * in-memory zone for tests). Every method is safe to call from many threads and never throws
 * for what DNS does: a name that cannot exist gives {@link DnsAnswer.NotFound}.
 */
public interface DnsResolver {

    /** Records of one type for a name (class IN), CNAMEs followed. */
    <T> DnsAnswer<T> lookup(String name, RecordType<T> type);

    default DnsAnswer<InetAddress> a(String name) {
        return lookup(name, RecordType.A);
    }

    default DnsAnswer<InetAddress> aaaa(String name) {
        return lookup(name, RecordType.AAAA);
    }

    default DnsAnswer<MxRecord> mx(String name) {
        return lookup(name, RecordType.MX);
    }

    default DnsAnswer<TxtRecord> txt(String name) {
        return lookup(name, RecordType.TXT);
    }

    /** The PTR records of an address (its name under in-addr.arpa or ip6.arpa). */
    default DnsAnswer<String> ptr(InetAddress address) {
        return lookup(DnsNames.reverseName(address), RecordType.PTR);
    }

    default DnsAnswer<TlsaRecord> tlsa(String name) {
        return lookup(name, RecordType.TLSA);
    }

    default DnsAnswer<CaaRecord> caa(String name) {
        return lookup(name, RecordType.CAA);
    }

    /**
     * The resolver the configuration asks for, with the shared cache in front: {@code server}
     * is "host:port" (the {@code [delivery] dns_server} key), or null for the system's resolver.
     *
     * @throws IllegalArgumentException with a message for the user when {@code server} is not
     *                                  "host", "host:port" or "[v6]:port"
     */
    static DnsResolver create(String server) {
        return create(server, null);
    }

    /**
     * As {@link #create(String)}, validating DNSSEC here with the trust anchors of a file of DS
     * or DNSKEY records (the {@code [delivery] dnssec_trust_anchor} key), or, with null,
     * believing the AD bit of a server on loopback (see {@link DnsjavaResolver}).
     *
     * @throws IllegalArgumentException with a message for the user when {@code server} is not
     *                                  valid or the trust anchor file cannot be used
     */
    static DnsResolver create(String server, java.nio.file.Path trustAnchors) {
        var builder = server == null ? DnsjavaResolver.builder().systemServers() : DnsjavaResolver.builder().server(server);
        if (trustAnchors != null) {
            builder.trustAnchors(trustAnchors);
        }
        return new CachingResolver(builder.build());
    }
}
