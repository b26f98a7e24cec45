package dev.mailflow.delivery.local;

import java.nio.file.Path;

/**
 * Where the LMTP server listens: {@code unix:/run/dovecot/lmtp} (a socket path) or
 * {@code 127.0.0.1:24} / {@code [::1]:24} / {@code host:port}.
 *
 * @param socket the Unix socket, or null for TCP
 * @param host   the TCP host, or null for a socket
 * @param port   the TCP port (0 for a socket)
 */
public record LmtpEndpoint(Path socket, String host, int port) {

    /** Parses the {@code lmtp} config value; the message of the exception says what is wrong. */
    public static LmtpEndpoint parse(String text) {
        String t = text.strip();
        if (t.startsWith("unix:")) {
            String path = t.substring(5);
            if (path.isEmpty() || !path.startsWith("/")) {
                throw new IllegalArgumentException("\"" + text + "\": after unix: comes an absolute socket path, as in "
                        + "\"unix:/run/dovecot/lmtp\"");
            }
            return new LmtpEndpoint(Path.of(path), null, 0);
        }
        int colon = t.lastIndexOf(':');
        String host = colon < 0 ? "" : t.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        String port = colon < 0 ? "" : t.substring(colon + 1);
        if (host.isEmpty() || !port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535
                || host.contains(":") && !t.startsWith("[")) {
            throw new IllegalArgumentException("\"" + text + "\" is neither unix:/path/to/socket nor host:port "
                    + "(\"127.0.0.1:24\", \"[::1]:24\")");
        }
        return new LmtpEndpoint(null, host, Integer.parseInt(port));
    }

    @Override
    public String toString() {
        return socket != null ? "unix:" + socket : host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    }
}
