package dev.mailflow.probe;

import dev.mailflow.server.protection.DnsList;
import java.util.List;

/**
 * The every-MX, every-address part of a probe ({@link MxMatrix}).
 *
 * @param mode     "auto" (every MX of a domain; a host given directly only its session), "all"
 *                 (--all-mx: a host given directly too), "first" (--first: no matrix, the first
 *                 MX that answers only)
 * @param dnsbl    the block lists each address is looked up in (--dnsbl; none by default)
 * @param tlsGrade whether each address's TLS is graded ({@link TlsGrader}; --no-tls-grade turns it off)
 */
public record MatrixOptions(String mode, List<DnsList> dnsbl, boolean tlsGrade) {

    public static final MatrixOptions DEFAULTS = new MatrixOptions("auto", List.of(), true);

    public MatrixOptions {
        if (!List.of("auto", "all", "first").contains(mode)) {
            throw new IllegalArgumentException("the matrix mode is auto, all or first, not " + mode);
        }
        dnsbl = List.copyOf(dnsbl);
    }

    /** Whether the matrix runs for this target. */
    boolean runs(boolean direct) {
        return switch (mode) {
            case "all" -> true;
            case "first" -> false;
            default -> !direct;
        };
    }
}
