package dev.mailflow.probe;

import java.nio.file.Path;

/**
 * How the probe's TLS policy steps check what they find (RFC 7672, RFC 8461).
 *
 * @param caFile            a PEM file of CA certificates trusted besides the JDK's, for the
 *                          WebPKI checks of MX certificates and of the MTA-STS policy host (a
 *                          private CA; the tests' own), or null
 * @param mtaStsPort        the HTTPS port MTA-STS policies are fetched from: 443, or a test's port
 * @param dnssecTrustAnchor a file of DS or DNSKEY records to validate DNSSEC with ourselves
 *                          (dnsjava's validator); null to believe the AD bit of a DNS server on
 *                          loopback, as delivery does without {@code [delivery] dnssec_trust_anchor}
 */
public record TlsPolicyOptions(Path caFile, int mtaStsPort, Path dnssecTrustAnchor) {

    public static final TlsPolicyOptions DEFAULTS = new TlsPolicyOptions(null, 443, null);

    public TlsPolicyOptions {
        if (mtaStsPort < 1 || mtaStsPort > 65535) {
            throw new IllegalArgumentException("the MTA-STS port must be a number from 1 to 65535, not " + mtaStsPort);
        }
    }
}
