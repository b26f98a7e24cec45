package dev.mailflow.tlspolicy;

import dev.mailflow.dns.DnsNames;
import java.util.Optional;

/**
 * The one wildcard rule of RFC 6125 6.4.3 as RFC 8461 4.1 uses it for both certificate
 * DNS-IDs and policy {@code mx} patterns: a {@code *} may only be the whole left-most label,
 * and it stands for exactly one label. {@code *.example.com} matches {@code mx.example.com},
 * not {@code example.com} and not {@code a.b.example.com}; {@code m*.example.com} matches
 * nothing. Names compare without regard to ASCII case, a final dot ignored, U-labels as
 * A-labels.
 */
public final class HostPatterns {

    private HostPatterns() {
    }

    /** Whether {@code host} (a DNS name) is named by {@code pattern} (a name or {@code *.name}). */
    public static boolean matches(String pattern, String host) {
        Optional<String> h = DnsNames.normalize(host);
        if (pattern == null || h.isEmpty()) {
            return false;
        }
        if (pattern.startsWith("*.")) {
            Optional<String> base = DnsNames.normalize(pattern.substring(2));
            if (base.isEmpty() || !base.get().contains(".") || base.get().contains("*")) {
                // "*.com": a wildcard over a top-level label names no one host (RFC 6125 7.2)
                return false;
            }
            String name = h.get();
            int dot = name.indexOf('.');
            return dot > 0 && name.substring(dot + 1).equals(base.get());
        }
        if (pattern.contains("*")) {
            return false;
        }
        return DnsNames.normalize(pattern).map(p -> p.equals(h.get())).orElse(false);
    }

    /** Whether the text is a name or a {@code *.name} this class can match with. */
    public static boolean isValidPattern(String pattern) {
        if (pattern == null || pattern.isEmpty()) {
            return false;
        }
        String name = pattern.startsWith("*.") ? pattern.substring(2) : pattern;
        if (name.contains("*") || name.isEmpty()) {
            return false;
        }
        var n = DnsNames.normalize(name);
        return n.isPresent() && n.get().chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || c == '-'
                || c == '.' || c == '_')) && (!pattern.startsWith("*.") || n.get().contains("."));
    }
}
