package dev.mailflow.server;

import dev.mailflow.server.auth.ClientNetwork;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * The keys connection limits count by. SECURITY: an IPv6 host is given a /64 and can take any
 * address in it, so a limit keyed on the full address is none: a client counts as one host by
 * its {@link ClientNetwork} (an IPv4 address, an IPv6 /64), the same key the AUTH limits use.
 * Beyond that, hosts count together by network, an IPv4 /24 or an IPv6 /48, against a larger
 * limit. IPv4-mapped IPv6 addresses count as their IPv4 address.
 */
final class ClientNetworks {

    static final int IPV4_NETWORK_PREFIX = 24;
    static final int IPV6_NETWORK_PREFIX = 48;

    private ClientNetworks() {
    }

    /** The client as one host. */
    static ClientNetwork host(InetAddress client) {
        return ClientNetwork.of(client);
    }

    /** The client's network: its IPv4 /24 or IPv6 /48. */
    static InetAddress network(InetAddress client) {
        byte[] a = client.getAddress();
        if (ClientNetwork.isMapped(a)) {
            a = Arrays.copyOfRange(a, 12, 16);
        }
        return prefix(a, a.length == 4 ? IPV4_NETWORK_PREFIX : IPV6_NETWORK_PREFIX);
    }

    static InetAddress prefix(byte[] address, int bits) {
        byte[] b = address.clone();
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
