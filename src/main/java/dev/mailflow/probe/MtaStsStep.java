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
            exchange.add(name + ": no answer");
            c.fail("MTA-STS record", "the TXT records of " + name + " could not be fetched: " + reason,
                    "The DNS server did not answer or failed; try again, or ask another one with --dns-server.");
            details.put("record", null);
        } else if (sts.isEmpty()) {
            exchange.add(name + ": no MTA-STS record");
            c.skip("MTA-STS", domain + " publishes no MTA-STS record at " + name + " (RFC 8461 3.1): senders "
                    + "fetch no policy, and MX hosts are not authenticated by MTA-STS");
            details.put("record", null);
        } else {
            for (String t : sts) {
                exchange.add(name + " TXT \"" + AuthTextReport.printable(t) + "\"");
            }
            details.put("record", sts.size() == 1 ? sts.get(0) : sts);
            switch (MtaStsRecord.select(answer.records())) {
                case MtaStsRecord.Absent a -> c.fail("MTA-STS record", name + ": " + a.why(),
                        "Senders use no MTA-STS record here (RFC 8461 3.1): publish exactly one, \"v=STSv1; "
                                + "id=<1 to 32 letters and digits>\", and change the id whenever the policy changes.");
                case MtaStsRecord.Found f -> {
                    details.put("id", f.record().id());
                    c.pass("MTA-STS record", name + ": id " + f.record().id());
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
                c.warn("MTA-STS policy", f.reason() + "; senders deliver as if " + domain + " had no MTA-STS",
                        "mta-sts." + domain + " has no address record, or its web server does not listen on HTTPS.",
                        "The web server's certificate is not valid for mta-sts." + domain + " (a certificate for "
                                + "another name, self-signed, expired, or without its intermediate CA).",
                        "The policy is not at /.well-known/mta-sts.txt, or is reached through a redirect, which "
                                + "senders do not follow (RFC 8461 3.3).",
                        "The answer is not text/plain, or not a valid policy (version: STSv1, mode, mx, max_age).",
                        "Senders without a cached policy deliver as if the domain had no MTA-STS (RFC 8461 5.1).");
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
                String summary = "mode " + p.mode().word() + ", mx " + (p.mx().isEmpty() ? "(none)"
                        : String.join(", ", p.mx())) + ", max_age " + p.maxAge().toSeconds() + " s ("
                        + age(p.maxAge()) + ")";
                switch (p.mode()) {
                    case ENFORCE -> c.pass("MTA-STS policy", summary + ": senders deliver only to a listed MX with a "
                            + "WebPKI-valid certificate, over TLS");
                    case TESTING -> c.warn("MTA-STS policy", summary + ": senders deliver even when the checks "
                            + "fail, and report the failures (TLS-RPT)", "MTA-STS: mode testing protects no mail; "
                                    + "once the TLS-RPT reports show no failures, change it to enforce (and the id)");
                    case NONE -> c.warn("MTA-STS policy", summary + ": the domain has withdrawn its policy "
                            + "(RFC 8461 8.3)", "MTA-STS: mode none protects no mail");
                }
                for (String w : p.warnings()) {
                    c.warn("MTA-STS policy", w, "MTA-STS: " + w);
                }
                return p;
            }
        }
    }

    /** "7 days", "1 day", "3600 s" for max_age in words. */
    static String age(Duration d) {
        long days = d.toDays();
        if (days >= 1 && d.toSeconds() % 86400 == 0) {
            return days + (days == 1 ? " day" : " days");
        }
        long hours = d.toHours();
        return hours >= 1 ? hours + (hours == 1 ? " hour" : " hours") : d.toSeconds() + " s";
    }

    static Map<String, Object> withChecks(Map<String, Object> details, PolicyCheck.Collector c) {
        details.put("checks", c.json());
        return details;
    }
}
