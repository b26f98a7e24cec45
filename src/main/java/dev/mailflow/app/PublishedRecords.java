package dev.mailflow.app;

import dev.mailflow.server.tls.TlsCertificates;
import dev.mailflow.tlspolicy.dane.TlsaRecords;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * The DNS records our own domains should publish for outbound TLS policy, as {@code mailflow
 * check} prints them:
 *
 * <ul>
 * <li>the TLSA record of the {@code [tls]} certificate at {@code _25._tcp.<hostname>}: DANE-EE,
 *     the SHA-256 of the public key ("3 1 1", RFC 7671 8.1 and RFC 7672 3.1.1: it survives a
 *     renewal that keeps the key, and works with a self-signed certificate, since DANE-EE checks
 *     neither names nor issuer); to be published in a DNSSEC-signed zone;
 * <li>for each accepted domain, when {@code [mta_sts] bind} is set (we serve the policy), the
 *     {@code _mta-sts.<domain>} TXT record with the policy's id (RFC 8461 3.1);
 * <li>for each accepted domain, a TLS-RPT record asking for reports at {@code tlsrpt@<domain>}
 *     (RFC 8460 3).
 * </ul>
 *
 * Names without a dot ({@code localhost}) are no DNS names anyone publishes and are left out.
 * Reads files only; makes nothing (a self-signed certificate not made yet is said so).
 */
final class PublishedRecords {

    private PublishedRecords() {
    }

    /** The lines {@code check} prints, indented by the caller. */
    static List<String> lines(MailflowConfig cfg) {
        var out = new ArrayList<String>();
        var server = cfg.server();
        String host = server.hostname();
        Path certificate = server.tlsCertificate();
        Path file = certificate != null ? certificate : server.dataDir().resolve("tls").resolve("selfsigned-cert.pem");
        if (certificate == null && !Files.exists(file)) {
            out.add("TLSA (DANE): no certificate yet: [tls] is not set and serve makes a self-signed one in "
                    + file.getParent().toAbsolutePath() + " at its first start; run check again then");
        } else if (host.indexOf('.') < 0) {
            out.add("TLSA (DANE): hostname " + host + " is not a DNS name others can look up");
        } else {
            try {
                X509Certificate leaf = leaf(file, certificate != null ? server.tlsKey()
                        : file.resolveSibling("selfsigned-key.pem"));
                var record = TlsaRecords.forCertificate(leaf, TlsaRecords.DANE_EE, TlsaRecords.SELECTOR_SPKI,
                        TlsaRecords.MATCH_SHA256);
                out.add(TlsaRecords.publish(host, 25, record));
                out.add("  (DANE-EE 3 1 1, the SHA-256 of the public key of " + file.toAbsolutePath()
                        + (certificate == null ? ", self-signed" : "") + "; in a DNSSEC-signed zone, for the MX "
                        + host + "; publish the next key's record beside it before a new key is used)");
            } catch (IOException | IllegalArgumentException e) {
                out.add("TLSA (DANE): the certificate cannot be read: " + e.getMessage());
            }
        }
        List<String> domains;
        try {
            domains = server.directory().acceptedDomains().stream().map(d -> d.name())
                    .filter(d -> d.indexOf('.') > 0).toList();
        } catch (dev.mailflow.directory.DirectoryUnavailable e) {
            out.add("the accepted domains cannot be listed now (" + e.getMessage() + "): their records are not shown");
            domains = List.of();
        }
        if (cfg.parts() != null) {
            var publishing = cfg.part(MtaStsSection.SECTION);
            if (publishing.bind() != null) {
                for (String d : domains) {
                    out.add(publishing.policy().txtRecord(d));
                }
                if (!domains.isEmpty()) {
                    out.add("  (MTA-STS, mode " + publishing.policy().mode().word() + ": and mta-sts.<domain> "
                            + "pointing at the [mta_sts] listener, reached on port 443)");
                }
            } else {
                out.add("MTA-STS: not published ([mta_sts] bind is not set)");
            }
        }
        for (String d : domains) {
            out.add("_smtp._tls." + d + ". IN TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@" + d + "\"");
        }
        if (!domains.isEmpty()) {
            out.add("  (TLS-RPT: senders' daily reports of TLS failures; the address must take mail)");
        }
        return out;
    }

    private static X509Certificate leaf(Path certificate, Path key) throws IOException {
        return TlsCertificates.read(certificate, key).chain().get(0);
    }
}
