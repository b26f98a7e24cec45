package dev.mailflow.server.auth;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;

/**
 * The network a client address is counted under: the whole address for IPv4, the /64 for
 * IPv6. SECURITY: one IPv6 host is usually given a whole /64 (RFC 6177, RFC 7934) and can
 * take a new address from it for every connection, so counting per IPv6 address would let a
 * single client start afresh at will. IPv4-mapped IPv6 addresses count as their IPv4 address.
 */
public record ClientNetwork(byte[] prefix) {

    /** Bits of an IPv6 address that name the client's network. */
    static final int IPV6_PREFIX_BITS = 64;

    public static ClientNetwork of(InetAddress address) {
        byte[] a = address.getAddress();
        if (address instanceof Inet4Address) {
            return new ClientNetwork(a);
        }
        if (isMapped(a)) {
            return new ClientNetwork(Arrays.copyOfRange(a, 12, 16));
        }
        return new ClientNetwork(Arrays.copyOf(a, IPV6_PREFIX_BITS / 8));
    }

    /** Whether 16 address octets are an IPv4-mapped IPv6 address, ::ffff:a.b.c.d. */
    public static boolean isMapped(byte[] a) {
        if (a.length != 16) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return (a[10] & 0xff) == 0xff && (a[11] & 0xff) == 0xff;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClientNetwork n && Arrays.equals(n.prefix, prefix);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(prefix);
    }

    @Override
    public String toString() {
        if (prefix.length == 4) {
            return (prefix[0] & 0xff) + "." + (prefix[1] & 0xff) + "." + (prefix[2] & 0xff) + "." + (prefix[3] & 0xff);
        }
        var sb = new StringBuilder();
        for (int i = 0; i < prefix.length; i += 2) {
            sb.append(Integer.toHexString(((prefix[i] & 0xff) << 8) | (prefix[i + 1] & 0xff))).append(':');
        }
        return sb.append(":/").append(IPV6_PREFIX_BITS).toString();
    }
}
