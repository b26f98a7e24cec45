package dev.mailflow.probe;

import dev.mailflow.dns.DnsAnswer;
import dev.mailflow.dns.DnsResolver;
import dev.mailflow.dns.TxtRecord;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;

/**
 * The probe's TLS-RPT step (RFC 8460 3): the {@code _smtp._tls.<domain>} TXT record that asks
 * senders for daily reports of their TLS successes and failures, and where they go ({@code rua}:
 * {@code mailto:} or {@code https:} URIs).
 *
 * <p>PASS for one valid record; WARN for none when the domain has a TLS policy (DANE or
 * MTA-STS), since nobody then learns of the failures that policy causes, SKIP for none
 * otherwise; FAIL for a record senders cannot use (two records, no usable {@code rua}) or a DNS
 * failure. Reports only: it does not change the probe's outcome.
 */
final class TlsRptStep {

    static final String VERSION = "v=TLSRPTv1";

    private TlsRptStep() {
    }

    /** @param hasPolicy whether DANE or MTA-STS applies to the domain's mail */
    static RecordsStep.Outcome run(DnsResolver dns, String domain, boolean hasPolicy) {
        var c = new PolicyCheck.Collector();
        var exchange = new ArrayList<String>();
        var details = new LinkedHashMap<String, Object>();
        String name = "_smtp._tls." + domain;
        details.put("name", name);
        switch (dns.txt(name)) {
            case DnsAnswer.TempFail<TxtRecord> t -> {
                exchange.add(name + ": no answer");
                c.fail("TLS-RPT", "the TXT records of " + name + " could not be fetched: " + t.reason(),
                        "The DNS server did not answer or failed; try again, or ask another one with --dns-server.");
            }
            case DnsAnswer.NotFound<TxtRecord> n -> absent(c, exchange, name, domain, hasPolicy);
            case DnsAnswer.Found<TxtRecord> f -> {
                var rpt = f.records().stream().map(TxtRecord::text).filter(TlsRptStep::versioned).toList();
                if (rpt.isEmpty()) {
                    absent(c, exchange, name, domain, hasPolicy);
                } else {
                    rpt.forEach(t -> exchange.add(name + " TXT \"" + AuthTextReport.printable(t) + "\""));
                    details.put("record", rpt.get(0));
                    if (rpt.size() > 1) {
                        c.fail("TLS-RPT", name + " has " + rpt.size() + " records beginning with " + VERSION,
                                "RFC 8460 3: with more than one record the domain does not implement TLS-RPT; "
                                        + "keep one (several rua URIs go in one rua field, separated by commas)");
                    } else {
                        judge(c, details, rpt.get(0));
                    }
                }
            }
        }
        details.put("checks", c.json());
        return new RecordsStep.Outcome(c.status(), List.copyOf(exchange), c.lines(), List.copyOf(c.reasons), details);
    }

    private static void absent(PolicyCheck.Collector c, List<String> exchange, String name, String domain,
            boolean hasPolicy) {
        exchange.add(name + ": no TLS-RPT record");
        String text = domain + " publishes no TLS-RPT record at " + name + ": senders send no reports of TLS failures";
        if (hasPolicy) {
            c.warn("TLS-RPT", text, "TLS-RPT: with DANE or MTA-STS in force, failures make senders hold or refuse "
                    + "mail, and without reports nobody here learns why; publish " + name
                    + ". IN TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@" + domain + "\"");
        } else {
            c.skip("TLS-RPT", text);
        }
    }

    private static boolean versioned(String text) {
        if (!text.startsWith(VERSION)) {
            return false;
        }
        String rest = text.substring(VERSION.length()).stripLeading();
        return rest.isEmpty() || rest.startsWith(";");
    }

    /** The record's fields (RFC 8460 3): rua URIs of the mailto: and https: schemes; other fields ignored. */
    private static void judge(PolicyCheck.Collector c, LinkedHashMap<String, Object> details, String text) {
        var usable = new ArrayList<String>();
        var ignored = new ArrayList<String>();
        boolean sawRua = false;
        String[] fields = text.substring(VERSION.length()).split(";", -1);
        for (int i = 1; i < fields.length; i++) {
            String field = fields[i].strip();
            if (field.isEmpty()) {
                continue;
            }
            int eq = field.indexOf('=');
            if (eq <= 0) {
                c.fail("TLS-RPT", "the field \"" + AuthTextReport.printable(field) + "\" is not name=value",
                        "TLS-RPT: senders cannot read the record (RFC 8460 3): fix its syntax");
                return;
            }
            if (!field.substring(0, eq).equals("rua")) {
                continue; // an extension field: ignored (RFC 8460 3)
            }
            sawRua = true;
            for (String raw : field.substring(eq + 1).split(",")) {
                String uri = raw.strip();
                String why = problem(uri);
                if (why == null) {
                    usable.add(uri);
                } else {
                    ignored.add("\"" + AuthTextReport.printable(uri) + "\" " + why);
                }
            }
        }
        details.put("rua", usable);
        details.put("ignored", ignored);
        if (!sawRua || usable.isEmpty()) {
            c.fail("TLS-RPT", sawRua ? "no usable rua URI: " + String.join("; ", ignored) : "the record has no rua field",
                    "TLS-RPT: senders have nowhere to send reports; give rua=mailto:address or rua=https://url "
                            + "(RFC 8460 3)");
            return;
        }
        c.pass("TLS-RPT", "reports go to " + String.join(", ", usable) + " (RFC 8460 3)");
        for (String i : ignored) {
            c.warn("TLS-RPT", "ignored: " + i, "TLS-RPT: senders skip " + i);
        }
    }

    /** Why a rua URI is not one senders use, or null. */
    private static String problem(String text) {
        if (text.isEmpty()) {
            return "is empty";
        }
        if (text.indexOf('!') >= 0) {
            return "has a \"!\", which must be percent-encoded (RFC 8460 3)";
        }
        try {
            var uri = new URI(text);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            return switch (scheme) {
                case "mailto" -> uri.getSchemeSpecificPart().contains("@") ? null : "is not a mail address";
                case "https" -> uri.getHost() == null ? "has no host name" : null;
                default -> "is not a mailto: or https: URI";
            };
        } catch (URISyntaxException e) {
            return "is not a valid URI (" + e.getReason() + ")";
        }
    }
}
