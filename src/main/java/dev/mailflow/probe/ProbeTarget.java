package dev.mailflow.probe;

import dev.mailflow.smtp.Domains;

/**
 * What to probe: a domain (MX lookup), a host, {@code host:port}, an IP address, or
 * {@code [IPv6]:port}. A port in the target wins over {@code --port}; an address or a
 * given port means that host itself, with no MX lookup.
 *
 * @param host   the domain, host name or address (no brackets)
 * @param port   the SMTP port
 * @param direct true: connect to {@code host}, no MX lookup
 */
public record ProbeTarget(String host, int port, boolean direct) {

    public static final int SMTP_PORT = 25;

    /**
     * @param port {@code --port}, or null for 25
     * @throws IllegalArgumentException with a sentence for the user when the target or port is malformed
     */
    public static ProbeTarget parse(String text, Integer port) {
        String t = text == null ? "" : text.strip();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("a target is needed (a domain, host, host:port or address)");
        }
        int p = port == null ? SMTP_PORT : checkPort(String.valueOf(port), t);
        String host = t;
        boolean direct = false;
        if (t.startsWith("[")) {
            int close = t.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException(t + ": no closing ']' (write an IPv6 address as [::1] or [::1]:25)");
            }
            host = t.substring(1, close);
            String rest = t.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException(t + ": only \":port\" may follow the ']'");
                }
                p = checkPort(rest.substring(1), t);
            }
            if (!Domains.isIpv6Literal(host) && !Domains.isIpv4Literal(host)) {
                throw new IllegalArgumentException(t + ": " + host + " is not an IP address");
            }
            direct = true;
        } else if (Domains.isIpv6Literal(t)) {
            direct = true; // a bare IPv6 address: its colons are not a port
        } else if (t.indexOf(':') >= 0) {
            int colon = t.lastIndexOf(':');
            host = t.substring(0, colon);
            if (host.indexOf(':') >= 0) {
                throw new IllegalArgumentException(t + ": write an IPv6 address with a port as [::1]:25");
            }
            p = checkPort(t.substring(colon + 1), t);
            direct = true;
        }
        if (Domains.isIpv4Literal(host) || Domains.isIpv6Literal(host)) {
            direct = true;
        } else if (!Domains.isValidDomain(host, true)) {
            throw new IllegalArgumentException(t + ": \"" + host + "\" is not a domain, host name or IP address");
        }
        return new ProbeTarget(host, p, direct);
    }

    /** {@code host:port}, an IPv6 address in brackets ({@code [::1]:25}), as the target is written. */
    public String hostPort() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    private static int checkPort(String text, String target) {
        int port;
        try {
            port = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(target + ": the port must be a number from 1 to 65535, not \"" + text
                    + "\"");
        }
        return port;
    }
}
