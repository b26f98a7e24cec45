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
public final class ClientNetworks {

    static final int IPV4_NETWORK_PREFIX = 24;
    static final int IPV6_NETWORK_PREFIX = 48;
    /** Greylisting's network: a sender's pool of outgoing addresses (RFC 6647 4.1). */
    static final int IPV4_GREYLIST_PREFIX = 24;
    static final int IPV6_GREYLIST_PREFIX = 64;

    private ClientNetworks() {
    }

    /** The client as one host. */
    static ClientNetwork host(InetAddress client) {
        return ClientNetwork.of(client);
    }

    /** The client's network: its IPv4 /24 or IPv6 /48. */
    static InetAddress network(InetAddress client) {
        byte[] a = unmapped(client);
        return prefix(a, a.length == 4 ? IPV4_NETWORK_PREFIX : IPV6_NETWORK_PREFIX);
    }

    /**
     * The network greylisting counts the client in, an IPv4 /24 or an IPv6 /64, as
     * {@code 192.0.2.0/24}: a big sender that retries from another address of its pool passes.
     */
    public static String greylistNetwork(InetAddress client) {
        byte[] a = unmapped(client);
        int bits = a.length == 4 ? IPV4_GREYLIST_PREFIX : IPV6_GREYLIST_PREFIX;
        return prefix(a, bits).getHostAddress() + "/" + bits;
    }

    private static byte[] unmapped(InetAddress client) {
        byte[] a = client.getAddress();
        return ClientNetwork.isMapped(a) ? Arrays.copyOfRange(a, 12, 16) : a;
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
