package dev.mailflow.server.protection;

import java.util.List;
import java.util.Objects;

/**
 * What the DNS lists said about the connection's client, noted on the session
 * ({@code session.noted(ClientReputation.class)}) once the lookups started at connect have
 * answered or passed their deadline: at HELO/EHLO at the latest, so every hook at MAIL and
 * RCPT can read it. Greylisting skips {@link #allowListed()} clients; the block lists refuse
 * {@link #blocked()} ones at RCPT.
 *
 * <p>Not noted when the client is in the connector's {@code relay_from} (the lists are not
 * asked about our own clients) nor when the connector has no {@code dnsbl} and no
 * {@code dnswl}.
 *
 * @param listings   the block list entries that listed the client, in configuration order
 * @param allowedBy  the allow list zones that listed the client
 * @param problems   the lists that gave no usable answer (a DNS failure, a timeout, or the list's
 *                   own error in 127.255.255.0/24): counted as not listing the client
 * @param score      the sum of the weights of {@code listings}
 * @param threshold  the connector's {@code dnsbl_threshold}
 * @param reverseDns the forward-confirmed reverse DNS of the client (also noted on its own)
 */
public record ClientReputation(List<Listing> listings, List<String> allowedBy, List<Problem> problems, int score,
                               int threshold, ReverseDns reverseDns) {

    public ClientReputation {
        listings = List.copyOf(listings);
        allowedBy = List.copyOf(allowedBy);
        problems = List.copyOf(problems);
        Objects.requireNonNull(reverseDns);
    }

    /**
     * One block list entry that listed the client.
     *
     * @param zone    the list's zone
     * @param entry   the entry as configured ({@code zen.example.test=127.0.0.[2..11]*3})
     * @param answers the list's answers (A records) that counted, such as {@code 127.0.0.2}
     * @param weight  what it added to the score
     */
    public record Listing(String zone, String entry, List<String> answers, int weight) {
        public Listing {
            answers = List.copyOf(answers);
        }
    }

    /**
     * A list that gave no usable answer.
     *
     * @param zone   the list's zone
     * @param kind   what went wrong
     * @param detail in words, for the logs
     */
    public record Problem(String zone, Kind kind, String detail) {

        public enum Kind {
            /**
             * The list answered with its own error code (127.255.255.0/24: over quota, asked
             * through a public resolver) or with something that is no listing code at all.
             */
            LIST_ERROR,
            /** DNS did not answer: timeout, SERVFAIL, nothing listening, or the deadline passed. */
            DNS_FAILURE
        }
    }

    /** A {@code dnswl} list listed the client: the block lists are skipped, and greylisting. */
    public boolean allowListed() {
        return !allowedBy.isEmpty();
    }

    /** The block lists refuse this client: its score reached the threshold and no allow list listed it. */
    public boolean blocked() {
        return !allowListed() && score >= threshold && !listings.isEmpty();
    }

    /**
     * The list named in the refusal: of the entries that listed the client, the one with the
     * largest weight (the first configured on a tie); null when none did.
     */
    public Listing blockedBy() {
        Listing best = null;
        for (var l : listings) {
            if (best == null || l.weight() > best.weight()) {
                best = l;
            }
        }
        return best;
    }

    /** The client's forward-confirmed host name, or null. */
    public String fcrdnsName() {
        return reverseDns.status() == ReverseDns.Status.CONFIRMED ? reverseDns.name() : null;
    }

    /** One line for the protocol log. */
    public String describe() {
        var sb = new StringBuilder();
        if (allowListed()) {
            sb.append("allow-listed by ").append(String.join(", ", allowedBy)).append(" (block lists skipped)");
        } else if (listings.isEmpty()) {
            sb.append("not listed");
        } else {
            sb.append(blocked() ? "blocked" : "below the threshold").append(": score ").append(score).append(" of ")
                    .append(threshold).append(", listed by ");
            for (int i = 0; i < listings.size(); i++) {
                var l = listings.get(i);
                sb.append(i == 0 ? "" : ", ").append(l.zone()).append(' ').append(String.join("/", l.answers()))
                        .append(" (weight ").append(l.weight()).append(')');
            }
        }
        for (var p : problems) {
            sb.append("; ").append(p.zone()).append(": ").append(p.detail());
        }
        return sb.toString();
    }
}
