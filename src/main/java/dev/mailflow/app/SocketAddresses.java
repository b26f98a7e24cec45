package dev.mailflow.app;

import dev.mailflow.smtp.Domains;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** {@code address:port} values of the configuration: where to listen, which server to ask. */
final class SocketAddresses {

    private SocketAddresses() {
    }

    /** Where to listen: {@code 127.0.0.1:2525}, {@code [::]:25}; the port is required. */
    static InetSocketAddress listen(String text) throws ConfigKey.InvalidValue {
        return literal(text, -1);
    }

    /**
     * {@code host:port} or {@code [v6]:port} where the host is an IP address or "localhost"
     * (no other name is looked up); {@code defaultPort} when the text has none, or -1 to
     * require one.
     */
    static InetSocketAddress literal(String text, int defaultPort) throws ConfigKey.InvalidValue {
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new ConfigKey.InvalidValue("\"" + text + "\": missing ']' after the IPv6 address");
            }
            host = text.substring(1, close);
            String rest = text.substring(close + 1);
            port = rest.startsWith(":") ? rest.substring(1) : rest.isEmpty() ? null : "x";
            if (!Domains.isIpv6Literal(host)) {
                throw new ConfigKey.InvalidValue("\"" + text + "\": " + host + " is not an IPv6 address");
            }
        } else {
            int colon = text.lastIndexOf(':');
            host = colon < 0 ? text : text.substring(0, colon);
            port = colon < 0 ? null : text.substring(colon + 1);
            if (!host.equals("localhost") && !Domains.isIpv4Literal(host)) {
                throw new ConfigKey.InvalidValue("\"" + text + "\": " + host
                        + " is not an IP address (use 127.0.0.1, 0.0.0.0, [::1] or [::])");
            }
        }
        int p;
        if (port == null) {
            if (defaultPort < 0) {
                throw new ConfigKey.InvalidValue("\"" + text
                        + "\" has no port (write address:port, e.g. 127.0.0.1:2525)");
            }
            p = defaultPort;
        } else {
            p = number(port);
            if (p < 0 || p > 65535) {
                throw new ConfigKey.InvalidValue("\"" + text + "\": the port must be a number from 0 to 65535");
            }
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), p);
        } catch (UnknownHostException e) {
            throw new ConfigKey.InvalidValue("\"" + text + "\": cannot use " + host);
        }
    }

    /** {@code host:port} where the host may be a name, not looked up here (a smart host). */
    static InetSocketAddress hostAndPort(String text, int defaultPort) throws ConfigKey.InvalidValue {
        if (text.startsWith("[") || Domains.isIpv4Literal(text.contains(":")
                ? text.substring(0, text.lastIndexOf(':')) : text)) {
            var a = literal(text, defaultPort);
            return InetSocketAddress.createUnresolved(a.getAddress().getHostAddress(), a.getPort());
        }
        int colon = text.lastIndexOf(':');
        String host = colon < 0 ? text : text.substring(0, colon);
        int port = colon < 0 ? defaultPort : number(text.substring(colon + 1));
        if (!Domains.isValidDomain(host, false) || port < 1 || port > 65535) {
            throw new ConfigKey.InvalidValue("\"" + text + "\" is not host:port (e.g. smtp.example.net:587)");
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    private static int number(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Why two listeners cannot both be bound, as the JVM binds them, or null when they can.
     * Java listens on dual-stack sockets: 0.0.0.0 and [::] are both every address, IPv4 and
     * IPv6, so either one shares its port with any other address. Port 0 never clashes.
     */
    static String clash(InetSocketAddress a, InetSocketAddress b) {
        if (a.getPort() == 0 || a.getPort() != b.getPort()) {
            return null;
        }
        if (a.getAddress().equals(b.getAddress())) {
            return "";
        }
        for (var w : new InetSocketAddress[] {a, b}) {
            if (w.getAddress().isAnyLocalAddress()) {
                return w.getAddress().getHostAddress().contains(":") ? "[::] listens on every address, IPv4 too"
                        : "0.0.0.0 listens on every address, IPv6 too";
            }
        }
        return null;
    }
}
