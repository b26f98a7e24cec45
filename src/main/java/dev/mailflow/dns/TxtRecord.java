package dev.mailflow.dns;

import java.util.List;

/**
 * One TXT record (RFC 1035 3.3.14): its character-strings in order, each decoded as UTF-8
 * (a byte that is not UTF-8 becomes U+FFFD, so non-ASCII stays visible to checks that refuse
 * it, as SPF does in RFC 7208 3.1).
 */
public record TxtRecord(List<String> strings) {

    public TxtRecord {
        strings = List.copyOf(strings);
    }

    public static TxtRecord of(String... strings) {
        return new TxtRecord(List.of(strings));
    }

    /** The strings joined with nothing between them, as SPF (RFC 7208 3.3) and DKIM read them. */
    public String text() {
        return String.join("", strings);
    }

    @Override
    public String toString() {
        return text();
    }
}
