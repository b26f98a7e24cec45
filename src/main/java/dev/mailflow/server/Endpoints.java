package dev.mailflow.server;

import java.net.InetSocketAddress;

/** How an address and port are written for people and logs: {@code 127.0.0.1:25}, {@code [::1]:25}. */
public final class Endpoints {

    private Endpoints() {
    }

    public static String format(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
