package dev.mailflow.server;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The keys connection limits count by. SECURITY: an IPv6 host is given a /64 and can take any
 * address in it, so a limit keyed on the full address is none: an IPv6 client counts by its
 * /64 ("the address"), an IPv4 client by its address. Beyond that, clients count together by
 * network, an IPv4 /24 or an IPv6 /48, against a larger limit.
 */
final class ClientNetworks {

    static final int IPV6_HOST_PREFIX = 64;
    static final int IPV4_NETWORK_PREFIX = 24;
    static final int IPV6_NETWORK_PREFIX = 48;

    private ClientNetworks() {
    }

    /** The client as one host: an IPv4 address, or the /64 of an IPv6 address. */
    static InetAddress host(InetAddress client) {
        return client instanceof Inet6Address && !isMappedOrLoopback(client) ? prefix(client, IPV6_HOST_PREFIX)
                : client;
    }

    /** The client's network: its IPv4 /24 or IPv6 /48. */
    static InetAddress network(InetAddress client) {
        if (client instanceof Inet6Address) {
            return isMappedOrLoopback(client) ? client : prefix(client, IPV6_NETWORK_PREFIX);
        }
        return prefix(client, IPV4_NETWORK_PREFIX);
    }

    private static boolean isMappedOrLoopback(InetAddress a) {
        return a.isLoopbackAddress();
    }

    static InetAddress prefix(InetAddress a, int bits) {
        byte[] b = a.getAddress();
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, bits - i * 8));
            b[i] &= (byte) (0xff << (8 - keep));
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
