package dev.mailflow.server;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An address range, {@code 192.0.2.0/24} or {@code 2001:db8::/32}; a bare address is a range of one. */
public record Cidr(byte[] network, int prefix) {

    /** Parses a range; null when the text is not one. Only literals: no DNS lookups. */
    public static Cidr parse(String text) {
        int slash = text.indexOf('/');
        String addr = slash < 0 ? text : text.substring(0, slash);
        boolean v6 = addr.indexOf(':') >= 0;
        if (!(v6 ? dev.mailflow.smtp.Domains.isIpv6Literal(addr) : dev.mailflow.smtp.Domains.isIpv4Literal(addr))) {
            return null;
        }
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(addr).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
        int max = bytes.length * 8;
        int prefix = max;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                return null;
            }
            if (prefix < 0 || prefix > max) {
                return null;
            }
        }
        return new Cidr(bytes, prefix);
    }

    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length != network.length) {
            // IPv4-mapped IPv6 addresses match IPv4 ranges.
            if (a.length == 16 && network.length == 4 && dev.mailflow.server.auth.ClientNetwork.isMapped(a)) {
                a = java.util.Arrays.copyOfRange(a, 12, 16);
            } else {
                return false;
            }
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (a[full] & mask) == (network[full] & mask);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefix == prefix && java.util.Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(network) * 31 + prefix;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
        } catch (UnknownHostException e) {
            return "?/" + prefix;
        }
    }
}
