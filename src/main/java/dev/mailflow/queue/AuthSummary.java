package dev.mailflow.queue;

import java.util.List;

/**
 * The email authentication results of a received message, as the tracking log, the queue and
 * the web console keep them (the words of RFC 8601: pass, fail, softfail, none, ...). The
 * queue knows nothing of how they were found; the server fills this in.
 *
 * @param spf   SPF of the MAIL FROM (or HELO) identity
 * @param dkim  one entry per checked DKIM signature; empty when the message was unsigned
 * @param dmarc DMARC on the From domain
 * @param arc   the ARC chain as received
 */
public record AuthSummary(Check spf, List<Check> dkim, Check dmarc, Check arc) {

    public AuthSummary {
        dkim = dkim == null ? List.of() : List.copyOf(dkim);
    }

    /**
     * One result.
     *
     * @param result the RFC 8601 word
     * @param domain the domain it is about (smtp.mailfrom's domain, header.d, header.from), or null
     * @param detail more about it: DKIM's selector, DMARC's policy, ARC's instance count; or null
     * @param reason why, in words
     */
    public record Check(String result, String domain, String detail, String reason) {
    }

    /** {@code spf=pass dkim=pass dmarc=pass arc=none}: the short form of logs and tracking. */
    public String brief() {
        String d = dkim.isEmpty() ? "none" : String.join(",", dkim.stream().map(Check::result).toList());
        return "spf=" + word(spf) + " dkim=" + d + " dmarc=" + word(dmarc) + " arc=" + word(arc);
    }

    private static String word(Check c) {
        return c == null ? "none" : c.result();
    }
}
