package dev.mailflow.auth.dmarc;

import dev.mailflow.auth.dkim.DkimVerification;
import dev.mailflow.auth.spf.SpfOutcome;
import dev.mailflow.dns.DnsResolver;
import java.util.List;
import java.util.Objects;

/**
 * DMARC (RFC 9989): finds the policy for the message's RFC 5322.From domain and decides
 * whether SPF or DKIM passed for an aligned domain.
 */
public final class Dmarc {

    private final DnsResolver dns;

    public Dmarc(DnsResolver dns) {
        this.dns = Objects.requireNonNull(dns);
    }

    /**
     * @param message the message as received (header section at least), CRLF or LF line ends
     * @param spf     the SPF outcome of the MAIL FROM (or HELO) identity, or null when not checked
     * @param dkim    the DKIM verification of the message
     */
    public DmarcOutcome evaluate(byte[] message, SpfOutcome spf, DkimVerification dkim) {
        return new DmarcOutcome(DmarcResult.NONE, null, null, null, null, false, "", false, false,
                "DMARC is not evaluated yet", List.of());
    }
}
