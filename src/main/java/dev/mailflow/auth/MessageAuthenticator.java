package dev.mailflow.auth;

import dev.mailflow.auth.arc.ArcVerifier;
import dev.mailflow.auth.dkim.DkimPolicy;
import dev.mailflow.auth.dkim.DkimVerifier;
import dev.mailflow.auth.dkim.ParsedMessage;
import dev.mailflow.auth.dmarc.Dmarc;
import dev.mailflow.auth.spf.Spf;
import dev.mailflow.auth.spf.SpfOutcome;
import dev.mailflow.dns.DnsResolver;
import java.time.Clock;

/**
 * The one entry point the server and the tester share: SPF at MAIL time, then DKIM, ARC and
 * DMARC on the message, as a receiving server does them. Immutable and safe to share.
 */
public final class MessageAuthenticator {

    private final Spf spf;
    private final DkimVerifier dkim;
    private final ArcVerifier arc;
    private final Dmarc dmarc;

    /**
     * @param dns      the resolver (with the shared cache in front in the server)
     * @param receiver our host name, for SPF's %{r} and as authserv-id
     */
    public MessageAuthenticator(DnsResolver dns, String receiver, Clock clock, DkimPolicy policy) {
        var keys = new DnsKeyLookup(dns);
        this.spf = new Spf(dns).withReceiver(receiver);
        this.dkim = new DkimVerifier(keys, clock, policy);
        this.arc = new ArcVerifier(keys, clock);
        this.dmarc = new Dmarc(dns);
    }

    public MessageAuthenticator(DnsResolver dns, String receiver) {
        this(dns, receiver, Clock.systemUTC(), DkimPolicy.standard());
    }

    /** SPF for the MAIL FROM identity, or the HELO identity for the null sender. */
    public SpfOutcome spf(AuthRequest request) {
        return spf.checkMailFrom(request.ip(), request.mailFrom(), request.helo());
    }

    /**
     * Every check on a received message.
     *
     * @param message the message as received (CRLF or LF line ends)
     * @param spfDone the SPF outcome when it was already checked at MAIL time, or null
     */
    public AuthReport check(AuthRequest request, byte[] message, SpfOutcome spfDone) {
        SpfOutcome spfOutcome = spfDone != null ? spfDone : spf(request);
        // The header section is split once; DKIM, ARC and DMARC read the same fields.
        var parsed = ParsedMessage.of(message);
        var dkimResults = dkim.verify(parsed);
        var arcOutcome = arc.verify(parsed);
        var dmarcOutcome = dmarc.evaluate(parsed, spfOutcome, dkimResults);
        return new AuthReport(request, spfOutcome, dkimResults, dmarcOutcome, arcOutcome);
    }
}
