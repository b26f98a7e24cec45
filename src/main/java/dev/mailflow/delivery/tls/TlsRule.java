package dev.mailflow.delivery.tls;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;

/**
 * The operator's TLS level for some destinations: a {@code [[tls_policy]]} entry, or a send
 * connector's {@code tls} settings.
 *
 * @param domains      {@code "*"}, {@code ".example.com"} (subdomains) or exact names; empty for a send connector
 * @param mode         the level
 * @param fingerprints for {@link TlsMode#VERIFY}: certificates or keys the peer may present
 *                     instead of a chain under the trust anchors
 * @param anchors      for {@link TlsMode#VERIFY}: the only CAs trusted for these destinations
 *                     (empty: the JDK's and {@code [delivery] ca_file}'s)
 */
public record TlsRule(List<String> domains, TlsMode mode, List<Fingerprint> fingerprints,
                      List<X509Certificate> anchors) {

    public TlsRule {
        domains = domains.stream().map(d -> d.toLowerCase(Locale.ROOT)).toList();
        fingerprints = List.copyOf(fingerprints);
        anchors = List.copyOf(anchors);
    }

    public static TlsRule of(TlsMode mode) {
        return new TlsRule(List.of(), mode, List.of(), List.of());
    }

    public boolean serves(String domain) {
        String d = domain.toLowerCase(Locale.ROOT);
        for (String pattern : domains) {
            if (pattern.equals("*") || pattern.equals(d) || (pattern.startsWith(".") && d.endsWith(pattern))) {
                return true;
            }
        }
        return false;
    }

    /** The first rule that serves a domain, or {@code fallback}. */
    public static TlsRule forDomain(List<TlsRule> rules, String domain, TlsRule fallback) {
        for (var r : rules) {
            if (r.serves(domain)) {
                return r;
            }
        }
        return fallback;
    }
}
