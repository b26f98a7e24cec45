package dev.mailflow.dns;

import java.net.IDN;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * Domain names as this package takes them: presentation text without escapes, a final dot
 * optional, U-labels turned into A-labels (RFC 5890), compared without regard to ASCII case
 * (RFC 4343). A name is valid when every label has 1 to 63 octets and the whole name at most
 * 253 characters (RFC 1035 2.3.4); labels may hold any other octet, as DNS allows.
 */
public final class DnsNames {

    private DnsNames() {
    }

    /**
     * The name in lower case, without its final dot, with A-labels; empty when it is not a
     * valid name (empty label, label over 63 octets, name over 253 characters, a U-label IDNA
     * refuses).
     */
    public static Optional<String> normalize(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String n = name.endsWith(".") && name.length() > 1 ? name.substring(0, name.length() - 1) : name;
        if (!isAscii(n)) {
            try {
                n = IDN.toASCII(n, IDN.ALLOW_UNASSIGNED);
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        n = n.toLowerCase(Locale.ROOT);
        if (n.isEmpty() || n.length() > 253) {
            return Optional.empty();
        }
        for (String label : n.split("\\.", -1)) {
            int octets = label.getBytes(StandardCharsets.UTF_8).length;
            if (octets == 0 || octets > 63) {
                return Optional.empty();
            }
        }
        return Optional.of(n);
    }

    public static boolean isValid(String name) {
        return normalize(name).isPresent();
    }

    /**
     * The name under in-addr.arpa (RFC 1035 3.5) or ip6.arpa (RFC 3596 2.5) that holds the
     * address's PTR records: "4.3.2.1.in-addr.arpa", or 32 lower-case nibbles for IPv6.
     */
    public static String reverseName(InetAddress address) {
        return reversedUnder(address, address instanceof Inet4Address ? "in-addr.arpa" : "ip6.arpa");
    }

    /**
     * The address's octets reversed (IPv4) or its 32 nibbles reversed (IPv6), as labels under
     * {@code zone}: the reverse tree, and DNS lists (RFC 5782 2.1 and 2.4) under their zone.
     */
    public static String reversedUnder(InetAddress address, String zone) {
        byte[] b = address.getAddress();
        var sb = new StringBuilder(80);
        if (address instanceof Inet4Address) {
            for (int i = b.length - 1; i >= 0; i--) {
                sb.append(b[i] & 0xff).append('.');
            }
        } else {
            for (int i = b.length - 1; i >= 0; i--) {
                sb.append(Character.forDigit(b[i] & 0x0f, 16)).append('.');
                sb.append(Character.forDigit((b[i] >> 4) & 0x0f, 16)).append('.');
            }
        }
        return sb.append(zone).toString();
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }
}
