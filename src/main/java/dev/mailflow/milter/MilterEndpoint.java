package dev.mailflow.milter;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/**
 * Where a milter listens, written as Postfix writes it ({@code inet:127.0.0.1:11332},
 * {@code inet:[::1]:8891}, {@code unix:/run/opendkim/opendkim.sock}) or as Sendmail and the
 * milters' own manuals do ({@code inet:8891@localhost}, {@code local:/path}).
 */
public record MilterEndpoint(String host, int port, Path path) {

    /**
     * Reads a milter's address.
     *
     * @throws IllegalArgumentException with the reason, for the configuration error
     */
    public static MilterEndpoint parse(String text) {
        String s = text == null ? "" : text.strip();
        int colon = s.indexOf(':');
        String scheme = colon < 0 ? "" : s.substring(0, colon).toLowerCase(java.util.Locale.ROOT);
        String rest = colon < 0 ? s : s.substring(colon + 1);
        switch (scheme) {
            case "unix", "local" -> {
                if (!rest.startsWith("/")) {
                    throw new IllegalArgumentException("a unix socket needs an absolute path: unix:/path/to/socket");
                }
                return new MilterEndpoint(null, 0, Path.of(rest));
            }
            case "inet", "inet6" -> {
                String host;
                String port;
                int at = rest.indexOf('@');
                if (at >= 0) {
                    port = rest.substring(0, at);
                    host = rest.substring(at + 1);
                } else if (rest.startsWith("[")) {
                    int close = rest.indexOf(']');
                    if (close < 0 || close + 1 >= rest.length() || rest.charAt(close + 1) != ':') {
                        throw new IllegalArgumentException("expected inet:[address]:port");
                    }
                    host = rest.substring(1, close);
                    port = rest.substring(close + 2);
                } else {
                    int last = rest.lastIndexOf(':');
                    if (last < 0) {
                        throw new IllegalArgumentException("expected inet:host:port");
                    }
                    host = rest.substring(0, last);
                    port = rest.substring(last + 1);
                }
                if (host.isEmpty()) {
                    throw new IllegalArgumentException("expected inet:host:port, the host is missing");
                }
                if (!dev.mailflow.smtp.Domains.isIpv4Literal(host) && !dev.mailflow.smtp.Domains.isIpv6Literal(host)
                        && !dev.mailflow.smtp.Domains.isValidDomain(host, false)) {
                    throw new IllegalArgumentException("'" + host + "' is not a host name or an IP address "
                            + "(inet:127.0.0.1:8891, inet:[::1]:8891 or inet:8891@localhost)");
                }
                int number;
                try {
                    number = Integer.parseInt(port);
                } catch (NumberFormatException e) {
                    number = -1;
                }
                if (number < 1 || number > 65535) {
                    throw new IllegalArgumentException("the port must be a number from 1 to 65535, not '" + port + "'");
                }
                return new MilterEndpoint(host, number, null);
            }
            default -> throw new IllegalArgumentException(
                    "expected inet:host:port or unix:/path, not '" + s + "'"
                    + (s.matches("[^:/]+:\\d+") ? " (write inet:" + s + ")" : ""));
        }
    }

    /** The socket address to connect to; a host name is looked up now. */
    SocketAddress socketAddress() {
        return path != null ? UnixDomainSocketAddress.of(path) : new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        if (path != null) {
            return "unix:" + path;
        }
        return "inet:" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
