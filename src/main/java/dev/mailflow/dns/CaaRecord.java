package dev.mailflow.dns;

/**
 * A CAA record (RFC 8659 4.1): which certification authorities may issue certificates for a
 * name ({@code issue}, {@code issuewild}) and where they report a refused request
 * ({@code iodef}).
 *
 * @param flags the flags octet; 128 is the Issuer Critical flag
 * @param tag   the property tag, in lower case
 * @param value the property value as given
 */
public record CaaRecord(int flags, String tag, String value) {

    /** Whether a CA that does not know {@link #tag} must refuse to issue (RFC 8659 4.1). */
    public boolean critical() {
        return (flags & 128) != 0;
    }

    /** The record in zone-file form: {@code 0 issue "letsencrypt.org"}. */
    @Override
    public String toString() {
        return flags + " " + tag + " \"" + value + "\"";
    }
}
