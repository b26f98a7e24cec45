package dev.mailflow.probe;

import dev.mailflow.dns.DnsAnswer;
import dev.mailflow.dns.DnsResolver;
import dev.mailflow.dns.TxtRecord;
import dev.mailflow.tlspolicy.mtasts.HttpsPolicyFetcher;
import dev.mailflow.tlspolicy.mtasts.MtaStsPolicy;
import dev.mailflow.tlspolicy.mtasts.MtaStsRecord;
import dev.mailflow.tlspolicy.mtasts.PolicyFetcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The probe's MTA-STS step for a domain (RFC 8461): the {@code _mta-sts.<domain>} TXT record
 * (3.1), then the policy fetched from {@code https://mta-sts.<domain>/.well-known/mta-sts.txt}
 * as a sender fetches it ({@link HttpsPolicyFetcher}: a WebPKI-valid certificate for the policy
 * host, no redirects, {@code text/plain}, 64 KiB, 3.3) and parsed (3.2): its mode, mx patterns
 * and max_age. Whether each MX matches the patterns and presents a WebPKI-valid certificate is
 * the MX-TLS step's ({@link MxTlsStep}), per MX.
 *
 * <p>SKIP without a record (the domain does not use MTA-STS: senders fetch nothing); FAIL for a
 * record that senders cannot use; WARN for a policy that cannot be fetched or parsed (senders
 * without a cached policy then deliver as without MTA-STS, 5.1: the domain's protection is gone,
 * its mail is not), for mode testing or none, and for the parser's warnings; PASS for an
 * enforced policy.
 */
final class MtaStsStep {

    /**
     * @param policy the fetched policy, or null when there is none (the MX-TLS step then checks no MTA-STS)
     */
    record Result(RecordsStep.Outcome outcome, MtaStsPolicy policy) {
    }

    private MtaStsStep() {
    }

    static Result run(DnsResolver dns, PolicyFetcher fetcher, String policyUrl, String domain) {
        var c = new PolicyCheck.Collector();
        var exchange = new ArrayList<String>();
        var details = new LinkedHashMap<String, Object>();
        String name = "_mta-sts." + domain;
        details.put("name", name);
        MtaStsPolicy policy = null;
        var answer = dns.txt(name);
        List<String> sts = switch (answer) {
            case DnsAnswer.Found<TxtRecord> f -> f.records().stream().map(TxtRecord::text)
                    .filter(t -> t.startsWith("v=STSv1")).toList();
            case DnsAnswer.NotFound<TxtRecord> n -> List.of();
            case DnsAnswer.TempFail<TxtRecord> t -> null;
        };
        if (sts == null) {
            String reason = ((DnsAnswer.TempFail<TxtRecord>) answer).reason();
            exchange.add(Messages.text("records.noAnswer.line", name));
            c.fail("MTA-STS record", Messages.text("policy.txt.tempFail", name, reason),
                    Messages.text("dns.tempFail.reason"));
            details.put("record", null);
        } else if (sts.isEmpty()) {
            exchange.add(Messages.text("mtaSts.none.line", name));
            c.skip("MTA-STS", Messages.text("mtaSts.none", domain, name));
            details.put("record", null);
        } else {
            for (String t : sts) {
                exchange.add(name + " TXT \"" + AuthTextReport.printable(t) + "\"");
            }
            details.put("record", sts.size() == 1 ? sts.get(0) : sts);
            switch (MtaStsRecord.select(answer.records())) {
                case MtaStsRecord.Absent a -> c.fail("MTA-STS record", Messages.text("policy.nameSays", name, a.why()),
                        Messages.text("mtaSts.record.unusable"));
                case MtaStsRecord.Found f -> {
                    details.put("id", f.record().id());
                    c.pass("MTA-STS record", Messages.text("mtaSts.record.id", name, f.record().id()));
                    exchange.add("GET " + policyUrl);
                    policy = fetch(fetcher, domain, c, details);
                }
            }
        }
        var outcome = new RecordsStep.Outcome(c.status(), List.copyOf(exchange), c.lines(), List.copyOf(c.reasons),
                withChecks(details, c));
        return new Result(outcome, policy);
    }

    private static MtaStsPolicy fetch(PolicyFetcher fetcher, String domain, PolicyCheck.Collector c,
            Map<String, Object> details) {
        switch (fetcher.fetch(domain)) {
            case PolicyFetcher.Failed f -> {
                details.put("policy", null);
                // Not a failure of delivery: senders without a cached policy deliver as if the
                // domain had no MTA-STS (RFC 8461 5.1), those with one keep using it.
                c.warn("MTA-STS policy", Messages.text("mtaSts.fetch.failed", f.reason(), domain),
                        Messages.text("mtaSts.fetch.reason.1", domain), Messages.text("mtaSts.fetch.reason.2", domain),
                        Messages.text("mtaSts.fetch.reason.3"), Messages.text("mtaSts.fetch.reason.4"),
                        Messages.text("mtaSts.fetch.reason.5"));
                return null;
            }
            case PolicyFetcher.Fetched f -> {
                var p = f.policy();
                var m = new LinkedHashMap<String, Object>();
                m.put("mode", p.mode().word());
                m.put("mx", p.mx());
                m.put("maxAge", p.maxAge().toSeconds());
                m.put("text", p.text());
                m.put("warnings", p.warnings());
                details.put("policy", m);
                String summary = Messages.text("mtaSts.policy.summary", p.mode().word(), p.mx().isEmpty()
                        ? Messages.text("mtaSts.policy.noMx") : String.join(", ", p.mx()), p.maxAge().toSeconds(),
                        age(p.maxAge()));
                switch (p.mode()) {
                    case ENFORCE -> c.pass("MTA-STS policy", Messages.text("mtaSts.policy.enforce", summary));
                    case TESTING -> c.warn("MTA-STS policy", Messages.text("mtaSts.policy.testing", summary),
                            Messages.text("mtaSts.policy.testing.reason"));
                    case NONE -> c.warn("MTA-STS policy", Messages.text("mtaSts.policy.none", summary),
                            Messages.text("mtaSts.policy.none.reason"));
                }
                for (String w : p.warnings()) {
                    c.warn("MTA-STS policy", w, Messages.text("mtaSts.policy.warning", w));
                }
                return p;
            }
        }
    }

    /** "7 days", "1 day", "3600 s" for max_age in words. */
    static String age(Duration d) {
        long days = d.toDays();
        if (days >= 1 && d.toSeconds() % 86400 == 0) {
            return Messages.text(days == 1 ? "duration.day" : "duration.days", days);
        }
        long hours = d.toHours();
        return hours >= 1 ? Messages.text(hours == 1 ? "duration.hour" : "duration.hours", hours)
                : Messages.text("duration.seconds", d.toSeconds());
    }

    static Map<String, Object> withChecks(Map<String, Object> details, PolicyCheck.Collector c) {
        details.put("checks", c.json());
        return details;
    }
}
