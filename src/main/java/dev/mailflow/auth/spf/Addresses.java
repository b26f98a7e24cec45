package dev.mailflow.auth.spf;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * IP addresses as SPF writes and compares them: the strict ip4-network and ip6-network
 * syntax of RFC 7208 5.6 (no leading zeros in IPv4; nothing that could be a host name, so that
 * parsing never causes a lookup), CIDR matching, and the %{i} and %{c} forms of RFC 7208 7.3.
 * An IPv4-mapped IPv6 client is an IPv4 client (RFC 7208 5, item 9 of the list).
 */
final class Addresses {

    private static final String QNUM = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
    private static final Pattern IP4 = Pattern.compile(QNUM + "\\." + QNUM + "\\." + QNUM + "\\." + QNUM);
    private static final Pattern HEX4 = Pattern.compile("[0-9A-Fa-f]{1,4}");

    private Addresses() {
    }

    /** A dotted quad exactly as RFC 7208's ip4-network allows it. */
    static Optional<byte[]> parseIp4(String s) {
        var m = IP4.matcher(s);
        if (!m.matches()) {
            return Optional.empty();
        }
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            b[i] = (byte) Integer.parseInt(m.group(i + 1));
        }
        return Optional.of(b);
    }

    /** An IPv6 address (RFC 4291 2.2, with "::" and a dotted-quad tail) as its 16 bytes. */
    static Optional<byte[]> parseIp6(String s) {
        if (s.isEmpty() || !s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
            return Optional.empty();
        }
        int dbl = s.indexOf("::");
        if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) {
            return Optional.empty();
        }
        String head = dbl >= 0 ? s.substring(0, dbl) : s;
        String tail = dbl >= 0 ? s.substring(dbl + 2) : "";
        var headGroups = groups(head);
        var tailGroups = groups(tail);
        if (headGroups == null || tailGroups == null) {
            return Optional.empty();
        }
        // A dotted quad may end the address (in the last part written).
        var last = dbl >= 0 ? tailGroups : headGroups;
        byte[] v4 = null;
        if (!last.isEmpty() && last.get(last.size() - 1).contains(".")) {
            v4 = parseIp4(last.remove(last.size() - 1)).orElse(null);
            if (v4 == null) {
                return Optional.empty();
            }
        }
        for (String g : headGroups) {
            if (!HEX4.matcher(g).matches()) {
                return Optional.empty();
            }
        }
        for (String g : tailGroups) {
            if (!HEX4.matcher(g).matches()) {
                return Optional.empty();
            }
        }
        int words = headGroups.size() + tailGroups.size() + (v4 != null ? 2 : 0);
        if (dbl < 0 ? words != 8 : words > 7) {
            return Optional.empty();
        }
        byte[] b = new byte[16];
        int i = 0;
        for (String g : headGroups) {
            int w = Integer.parseInt(g, 16);
            b[i++] = (byte) (w >> 8);
            b[i++] = (byte) w;
        }
        int tailBytes = tailGroups.size() * 2 + (v4 != null && dbl >= 0 ? 4 : 0);
        if (dbl >= 0) {
            i = 16 - tailBytes;
        }
        for (String g : tailGroups) {
            int w = Integer.parseInt(g, 16);
            b[i++] = (byte) (w >> 8);
            b[i++] = (byte) w;
        }
        if (v4 != null) {
            System.arraycopy(v4, 0, b, 12, 4);
        }
        return Optional.of(b);
    }

    /** The parts between single colons; null when one is empty. */
    private static java.util.List<String> groups(String part) {
        var list = new java.util.ArrayList<String>();
        if (part.isEmpty()) {
            return list;
        }
        for (String g : part.split(":", -1)) {
            if (g.isEmpty()) {
                return null;
            }
            list.add(g);
        }
        return list;
    }

    /** The client address as SPF treats it: an IPv4-mapped IPv6 address becomes IPv4. */
    static InetAddress normalize(InetAddress ip) {
        byte[] b = ip.getAddress();
        if (b.length == 16) {
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= b[i] == 0;
            }
            mapped &= b[10] == (byte) 0xff && b[11] == (byte) 0xff;
            if (mapped) {
                try {
                    return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
                } catch (UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return ip;
    }

    /** Whether the address lies in network/prefix; addresses of another family never do. */
    static boolean inNetwork(InetAddress ip, byte[] network, int prefix) {
        byte[] a = ip.getAddress();
        if (a.length != network.length) {
            return false;
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

    static boolean isIp4(InetAddress ip) {
        return ip instanceof Inet4Address;
    }

    /**
     * %{i}: the dotted quad, or for IPv6 the 32 nibbles separated by dots, in upper case as
     * pyspf writes them (RFC 7208 7.3 leaves the case open; the OpenSPF suite expects these).
     */
    static String dotted(InetAddress ip) {
        if (isIp4(ip)) {
            return ip.getHostAddress();
        }
        var sb = new StringBuilder();
        for (byte x : ip.getAddress()) {
            sb.append(Character.toUpperCase(Character.forDigit((x >> 4) & 0xf, 16))).append('.');
            sb.append(Character.toUpperCase(Character.forDigit(x & 0xf, 16))).append('.');
        }
        return sb.substring(0, sb.length() - 1);
    }

    /** %{c}: the dotted quad, or the IPv6 address in RFC 5952 form ("2001:db8::1"). */
    static String readable(InetAddress ip) {
        if (isIp4(ip)) {
            return ip.getHostAddress();
        }
        byte[] b = ip.getAddress();
        int[] w = new int[8];
        for (int i = 0; i < 8; i++) {
            w[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        // The longest run of two or more zero words becomes "::" (the first of equal runs).
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8;) {
            if (w[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && w[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        var sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(w[i]));
        }
        return sb.toString();
    }
}
