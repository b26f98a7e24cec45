package dev.mailflow.dns;

/**
 * One MX record (RFC 1035 3.3.9).
 *
 * @param host the exchange without the final dot; empty for the root, which is what a null MX
 *             ({@code 0 .}, RFC 7505) names
 */
public record MxRecord(int preference, String host) {

    /** True for an exchange of "." (RFC 7505): the name takes no mail there. */
    public boolean isRoot() {
        return host.isEmpty();
    }

    @Override
    public String toString() {
        return preference + " " + (host.isEmpty() ? "." : host);
    }
}
