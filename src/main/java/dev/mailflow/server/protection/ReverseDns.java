package dev.mailflow.server.protection;

import java.util.List;
import java.util.Objects;

/**
 * The forward-confirmed reverse DNS of a client (FCrDNS, RFC 8601 2.7.3 "iprev"): the names
 * of its PTR records, and the first of them whose A or AAAA records lead back to its address.
 * Noted on every session at connect ({@code session.noted(ReverseDns.class)}) before the
 * connect hooks that follow the connection filter run: the milter's {@code {client_name}} and
 * {@code {client_ptr}} come from here, as Postfix's do.
 *
 * @param status   what the lookups found
 * @param name     the confirmed name when {@link Status#CONFIRMED}, else null
 * @param ptrNames the PTR names, at most {@link ForwardConfirmation#MAX_PTR_NAMES}, as found
 * @param detail   in words, for the protocol log
 */
public record ReverseDns(Status status, String name, List<String> ptrNames, String detail) {

    public enum Status {
        /** A PTR name resolves back to the client's address. */
        CONFIRMED,
        /** PTR names exist, but none of them resolves back to the address. */
        UNCONFIRMED,
        /** The address has no PTR record (NXDOMAIN or no data). */
        NO_PTR,
        /** A lookup failed or did not finish in time: asking again later may confirm it. */
        TEMPFAIL
    }

    public ReverseDns {
        Objects.requireNonNull(status);
        ptrNames = List.copyOf(ptrNames);
        Objects.requireNonNull(detail);
        if ((status == Status.CONFIRMED) != (name != null)) {
            throw new IllegalArgumentException("a name exactly when confirmed");
        }
    }

    public boolean confirmed() {
        return status == Status.CONFIRMED;
    }

    /** Postfix's {@code {client_name}}: the confirmed name, else {@code unknown}. */
    public String clientName() {
        return confirmed() ? name : "unknown";
    }

    /** Postfix's {@code {client_ptr}}: the first PTR name, confirmed or not, else {@code unknown}. */
    public String ptrName() {
        return confirmed() ? name : ptrNames.isEmpty() ? "unknown" : ptrNames.get(0);
    }
}
