package dev.mailflow.auth.spf;

import dev.mailflow.dns.DnsAnswer;
import dev.mailflow.dns.DnsNames;
import dev.mailflow.dns.DnsResolver;
import dev.mailflow.dns.TxtRecord;
import java.net.InetAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import java.util.Optional;

/**
 * SPF checks (RFC 7208): whether a client address may send for a domain. Immutable and safe to
 * share; each check is independent and does its own counting of the limits.
 *
 * <pre>{@code
 * var spf = new Spf(resolver).withReceiver("mx.example.test");
 * SpfOutcome o = spf.checkMailFrom(clientIp, "chris@contoso.com", "mail.contoso.com");
 * o.result();   // SpfResult.PASS ...
 * o.reason();   // "192.0.2.7 matched ip4:192.0.2.0/24 in the SPF record of contoso.com"
 * }</pre>
 */
public final class Spf {

    /** RFC 7208 4.6.4: "at least 20 seconds". */
    public static final Duration DEFAULT_TIME_LIMIT = Duration.ofSeconds(20);

    private final DnsResolver dns;
    private final String receiver;
    private final InstantSource clock;
    private final Duration timeLimit;

    public Spf(DnsResolver dns) {
        this(dns, "unknown", InstantSource.system(), DEFAULT_TIME_LIMIT);
    }

    private Spf(DnsResolver dns, String receiver, InstantSource clock, Duration timeLimit) {
        this.dns = Objects.requireNonNull(dns);
        this.receiver = receiver;
        this.clock = clock;
        this.timeLimit = timeLimit;
    }

    /** Our own host name, for the %{r} macro of explanations (RFC 7208 7.2); "unknown" otherwise. */
    public Spf withReceiver(String receiver) {
        return new Spf(dns, receiver, clock, timeLimit);
    }

    /** The clock for %{t} and for the time limit of a whole check. */
    public Spf withClock(InstantSource clock, Duration timeLimit) {
        return new Spf(dns, receiver, clock, timeLimit);
    }

    /**
     * The MAIL FROM identity (RFC 7208 2.4); with a null sender ({@code null}, "" or "<>") the
     * HELO identity instead, as postmaster@helo.
     */
    public SpfOutcome checkMailFrom(InetAddress ip, String mailFrom, String helo) {
        String from = mailFrom == null ? "" : mailFrom.strip();
        if (from.startsWith("<") && from.endsWith(">")) {
            from = from.substring(1, from.length() - 1);
        }
        if (from.isEmpty()) {
            return checkHelo(ip, helo);
        }
        int at = from.lastIndexOf('@');
        String domain = at < 0 ? from : from.substring(at + 1);
        return checkHost(ip, domain, from, helo);
    }

    /** The HELO identity (RFC 7208 2.3): sender postmaster@helo, domain the HELO name. */
    public SpfOutcome checkHelo(InetAddress ip, String helo) {
        String h = helo == null ? "" : helo;
        return checkHost(ip, h, "postmaster@" + h, h);
    }

    /**
     * check_host(ip, domain, sender) of RFC 7208 4.1; {@code helo} is for the %{h} macro.
     * A sender without a local-part is taken as postmaster@domain (4.3).
     */
    public SpfOutcome checkHost(InetAddress ip, String domain, String sender, String helo) {
        var client = normalizeClient(ip);
        String s = sender == null ? "" : sender;
        int at = s.lastIndexOf('@');
        String local = at <= 0 ? "postmaster" : s.substring(0, at);
        String senderDomain = at < 0 ? (s.isEmpty() ? domain : s) : s.substring(at + 1);
        String fullSender = local + "@" + senderDomain;
        var ev = new Evaluation(dns, client, fullSender, local, senderDomain, helo == null ? "" : helo, receiver,
                clock, timeLimit);
        String d = Evaluation.withoutFinalDot(domain == null ? "" : domain);
        try {
            var decision = ev.checkHost(d);
            var explanation = explanation(ev, decision);
            return new SpfOutcome(decision.result(), d, decision.reason(), explanation,
                    decision.record() == null ? "" : decision.record().text(),
                    decision.matched() == null ? "" : decision.matched().term(), ev.trace(), ev.dnsTerms(),
                    ev.voidLookups());
        } catch (SpfError e) {
            ev.step(e.result + ": " + e.getMessage());
            return new SpfOutcome(e.result, d, e.getMessage(), Optional.empty(), "", "", ev.trace(), ev.dnsTerms(),
                    ev.voidLookups());
        }
    }

    /**
     * 6.2: for a fail, the exp= of the record that decided, expanded with that record's domain.
     * Any trouble (no such name, not exactly one TXT record, DNS error, a syntax error in the
     * text, non-ASCII) means no explanation; none of it counts against the limits.
     */
    private Optional<String> explanation(Evaluation ev, Evaluation.Decision decision) {
        if (decision.result() != SpfResult.FAIL || decision.record() == null || decision.record().exp() == null) {
            return Optional.empty();
        }
        String target = ev.expandDomain(decision.record().exp(), decision.domain());
        if (!DnsNames.isValid(target)) {
            ev.step("exp=" + target + ": not a name DNS can hold (no explanation)");
            return Optional.empty();
        }
        var answer = dns.txt(target);
        if (!(answer instanceof DnsAnswer.Found<TxtRecord> f) || f.records().size() != 1) {
            ev.step("exp=" + target + ": " + (answer instanceof DnsAnswer.Found<?> ? "more than one TXT record"
                    : "no TXT record") + " (no explanation)");
            return Optional.empty();
        }
        String text = f.records().get(0).text();
        if (!text.chars().allMatch(c -> c < 0x80)) {
            ev.step("exp=" + target + ": the text is not ASCII (no explanation)");
            return Optional.empty();
        }
        try {
            String expanded = MacroString.explanation(text).expand(ev.values(decision.domain()));
            ev.step("exp=" + target + ": \"" + MacroString.printable(expanded) + "\"");
            return Optional.of(expanded);
        } catch (SpfSyntaxException e) {
            ev.step("exp=" + target + ": " + e.getMessage() + " (no explanation)");
            return Optional.empty();
        }
    }

    private static InetAddress normalizeClient(InetAddress ip) {
        return Addresses.normalize(Objects.requireNonNull(ip, "the client address"));
    }
}
