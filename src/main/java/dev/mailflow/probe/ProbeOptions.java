package dev.mailflow.probe;

import java.time.Duration;
import java.util.List;

/**
 * What to test: a domain (MX lookup), a host or host:port, or an IP address.
 *
 * @param quitAfter   stop after this step (CONNECT, EHLO, STARTTLS, AUTH, MAIL, RCPT), or null
 * @param starttls    "auto" (when offered), "require", or "never"
 * @param dkimSelectors DKIM selectors whose keys the RECORDS step looks up (a domain target only)
 * @param tlsPolicy   how the TLS policy steps (MTA-STS, MX-TLS, TLS-RPT) check certificates and fetch policies
 * @param matrix      every MX and address, their block lists and TLS grades
 * @param roundTrip   the delivery-receipt round trip (--round-trip): where the return address's mail
 *                    arrives and how long to wait; null for none
 * @throws IllegalArgumentException with a sentence for the user when the target or port is malformed
 */
public record ProbeOptions(String target, Integer port, String from, List<String> to, String notifyOn, String helo,
                           String starttls, String authUser, String authPassword, boolean data, String quitAfter,
                           String dnsServer, Duration timeout, List<String> dkimSelectors,
                           TlsPolicyOptions tlsPolicy, MatrixOptions matrix, RoundTrip.Options roundTrip) {

    public ProbeOptions {
        to = List.copyOf(to);
        dkimSelectors = List.copyOf(dkimSelectors);
        tlsPolicy = tlsPolicy == null ? TlsPolicyOptions.DEFAULTS : tlsPolicy;
        matrix = matrix == null ? MatrixOptions.DEFAULTS : matrix;
        ProbeTarget.parse(target, port);
    }

    /** With the default matrix (every MX of a domain, TLS graded, no block lists). */
    public ProbeOptions(String target, Integer port, String from, List<String> to, String notifyOn, String helo,
                        String starttls, String authUser, String authPassword, boolean data, String quitAfter,
                        String dnsServer, Duration timeout, List<String> dkimSelectors,
                        TlsPolicyOptions tlsPolicy) {
        this(target, port, from, to, notifyOn, helo, starttls, authUser, authPassword, data, quitAfter, dnsServer,
                timeout, dkimSelectors, tlsPolicy, MatrixOptions.DEFAULTS, null);
    }

    /** With the default TLS policy options (the JDK's CAs, policies on port 443, the resolver's AD bit). */
    public ProbeOptions(String target, Integer port, String from, List<String> to, String notifyOn, String helo,
                        String starttls, String authUser, String authPassword, boolean data, String quitAfter,
                        String dnsServer, Duration timeout, List<String> dkimSelectors) {
        this(target, port, from, to, notifyOn, helo, starttls, authUser, authPassword, data, quitAfter, dnsServer,
                timeout, dkimSelectors, TlsPolicyOptions.DEFAULTS);
    }

    /** Without DKIM selectors. */
    public ProbeOptions(String target, Integer port, String from, List<String> to, String notifyOn, String helo,
                        String starttls, String authUser, String authPassword, boolean data, String quitAfter,
                        String dnsServer, Duration timeout) {
        this(target, port, from, to, notifyOn, helo, starttls, authUser, authPassword, data, quitAfter, dnsServer,
                timeout, List.of());
    }

    /** Where to connect, from {@code target} and {@code port}. */
    public ProbeTarget destination() {
        return ProbeTarget.parse(target, port);
    }
}
