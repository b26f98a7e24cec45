package dev.mailflow.tlspolicy.mtasts;

import dev.mailflow.tlspolicy.HostPatterns;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * The MTA-STS policy we publish for our own accepted domains (the {@code [mta_sts]} section):
 * its text as {@link PolicyListener} serves it (RFC 8461 3.2), its id (3.1), a hash of that
 * text, so the id changes exactly when the policy does and senders fetch it again; and the
 * TXT record to put in each domain's zone.
 */
public record PublishedPolicy(MtaStsPolicy.Mode mode, List<String> mx, Duration maxAge) {

    public PublishedPolicy {
        mx = List.copyOf(mx);
        for (String m : mx) {
            if (!HostPatterns.isValidPattern(m)) {
                throw new IllegalArgumentException("\"" + m + "\" is not a host name or *.domain pattern");
            }
        }
        if (mx.isEmpty() && mode != MtaStsPolicy.Mode.NONE) {
            throw new IllegalArgumentException("a policy in mode " + mode.word() + " needs at least one mx pattern");
        }
        if (maxAge.isNegative() || maxAge.compareTo(MtaStsPolicy.MAX_AGE_LIMIT) > 0) {
            throw new IllegalArgumentException("max_age must be at most " + MtaStsPolicy.MAX_AGE_LIMIT.toSeconds()
                    + " seconds (RFC 8461 3.2)");
        }
        if (maxAge.toMillis() % 1000 != 0) {
            throw new IllegalArgumentException("max_age must be whole seconds");
        }
    }

    /** The policy body, CRLF line ends. */
    public String text() {
        return MtaStsPolicy.format(mode, mx, maxAge);
    }

    /** 20 hexadecimal digits of the SHA-256 of the text: stable across restarts, new with any change. */
    public String policyId() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** The TXT record's text: {@code v=STSv1; id=<id>}. */
    public String txtRecordText() {
        return new MtaStsRecord(policyId()).text();
    }

    /** The record to publish for a domain, as a zone file line: {@code _mta-sts.example.com. IN TXT "v=STSv1; id=..."}. */
    public String txtRecord(String domain) {
        String d = domain.endsWith(".") ? domain : domain + ".";
        return "_mta-sts." + d + " IN TXT \"" + txtRecordText() + "\"";
    }
}
