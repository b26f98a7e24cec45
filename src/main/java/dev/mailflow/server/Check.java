package dev.mailflow.server;

/**
 * The check that refused a command or a message: the reason the tracking log records with
 * each rejection, that {@code /metrics} counts ({@code mailflow_rejections{check=...}}) and the
 * console's overview sums. One word each, in the log and the metrics; the verdict's detail
 * says which list, limit or filter.
 */
public enum Check {
    /** A DNS block list listed the client (detail: the list's zone). */
    DNSBL("dnsbl"),
    /** Forward-confirmed reverse DNS failed or is missing where required. */
    FCRDNS("fcrdns"),
    /** The client talked before the greeting (postscreen's pregreet test). */
    PREGREET("pregreet"),
    /** A rate or concurrency limit (detail: which limit). */
    RATE_LIMIT("limit"),
    /** Greylisting: the first attempt of a triplet. */
    GREYLIST("greylist"),
    /** A milter's verdict (detail: the milter). */
    MILTER("milter"),
    /** SPF (RFC 7208) of the sender. */
    SPF("spf"),
    /** DMARC of the From domain. */
    DMARC("dmarc"),
    /** Relay to a domain not ours without authentication. */
    RELAY("relay"),
    /** A recipient that does not exist here. */
    RECIPIENT("recipient"),
    /** Authentication required, or a sender the user may not send as. */
    SENDER("sender"),
    /** Message size over the connector's limit. */
    SIZE("size"),
    /** No room in the queue, or the queue could not be written. */
    RESOURCES("resources"),
    /** Loops: too many Received fields. */
    LOOP("loop"),
    /** Anything not named above. */
    OTHER("other");

    private final String word;

    Check(String word) {
        this.word = word;
    }

    /** The word of the tracking log and of the metrics label. */
    public String word() {
        return word;
    }
}
