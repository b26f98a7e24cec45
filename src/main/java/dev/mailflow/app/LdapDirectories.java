package dev.mailflow.app;

import dev.mailflow.directory.AcceptedDomain;
import dev.mailflow.directory.LdapDirectory;
import dev.mailflow.directory.LdapServers;
import dev.mailflow.tlspolicy.TrustAnchors;
import java.security.cert.CertificateEncodingException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The connection pools of the LDAP directory, one per set of servers, credentials, trust and
 * timeouts, shared by the configurations loaded (a reload keeps the connections, as
 * {@link SqlDirectories} does). TLS trusts the JDK's CAs plus the {@code ca_file}.
 */
final class LdapDirectories {

    private static final Map<String, LdapServers> POOLS = new ConcurrentHashMap<>();

    private LdapDirectories() {
    }

    /** The directory of each settings and listed domains: a reload that changes neither keeps its cache. */
    private static final Map<List<Object>, LdapDirectory> DIRECTORIES = new ConcurrentHashMap<>();

    static LdapDirectory open(DirectorySection.Settings s, List<AcceptedDomain> listedDomains) {
        return DIRECTORIES.computeIfAbsent(List.of(s, List.copyOf(listedDomains)), k -> make(s, listedDomains));
    }

    private static LdapDirectory make(DirectorySection.Settings s, List<AcceptedDomain> listedDomains) {
        var l = s.ldap();
        var servers = POOLS.computeIfAbsent(key(l), k -> LdapServers.open(new LdapServers.Settings(l.urls(),
                l.startTls(), TrustAnchors.withCaFile(l.caFile()).sslContext(), l.bindDn(), l.bindPassword(),
                l.connectTimeout(), l.timeout())));
        return new LdapDirectory(servers, l.search(), listedDomains, s.cacheTtl(), s.cacheGrace());
    }

    private static String key(DirectorySection.Ldap l) {
        var sb = new StringBuilder();
        l.urls().forEach(u -> sb.append(u).append(' '));
        sb.append('\0').append(l.startTls()).append('\0').append(l.bindDn()).append('\0').append(l.bindPassword())
                .append('\0').append(l.connectTimeout()).append('\0').append(l.timeout()).append('\0')
                .append(l.caFile());
        for (var c : l.ca()) {
            try {
                sb.append('\0').append(Base64.getEncoder().encodeToString(c.getEncoded()));
            } catch (CertificateEncodingException e) {
                sb.append('\0').append(c.getSerialNumber());
            }
        }
        return sb.toString();
    }
}
