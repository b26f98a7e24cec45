package dev.mailflow.probe;

import dev.mailflow.dns.DnsResolver;
import dev.mailflow.tlspolicy.tlsrpt.ReportDestination;
import dev.mailflow.tlspolicy.tlsrpt.TlsRptLookup;
import dev.mailflow.tlspolicy.tlsrpt.TlsRptRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The probe's TLS-RPT step (RFC 8460 3): the {@code _smtp._tls.<domain>} TXT record that asks
 * senders for daily reports of their TLS successes and failures, read by the same parser as
 * the sender of our own reports ({@link TlsRptRecord}), and where the reports go ({@code rua}:
 * {@code mailto:} or {@code https:} URIs).
 *
 * <p>PASS for one valid record (WARN beside it for each rua URI senders skip); WARN for none
 * when the domain has a TLS policy (DANE or MTA-STS), since nobody then learns of the failures
 * that policy causes, SKIP for none otherwise; FAIL for a record senders cannot use (two
 * records, bad syntax, no usable {@code rua}) or a DNS failure. It reports only: the probe's
 * outcome does not depend on it.
 */
final class TlsRptStep {

    private TlsRptStep() {
    }

    /** @param hasPolicy whether DANE or MTA-STS applies to the domain's mail */
    static RecordsStep.Outcome run(DnsResolver dns, String domain, boolean hasPolicy) {
        var c = new PolicyCheck.Collector();
        var exchange = new ArrayList<String>();
        var details = new LinkedHashMap<String, Object>();
        String name = TlsRptRecord.recordName(domain);
        details.put("name", name);
        switch (TlsRptRecord.lookup(dns, domain)) {
            case TlsRptLookup.TempFail t -> {
                exchange.add(name + ": no answer");
                c.fail("TLS-RPT", "the TXT records of " + name + " could not be fetched: " + t.reason(),
                        "The DNS server did not answer or failed; try again, or ask another one with --dns-server.");
            }
            case TlsRptLookup.Absent a -> {
                exchange.add(name + ": no TLS-RPT record");
                String text = domain + " publishes no TLS-RPT record at " + name + ": senders send no reports of "
                        + "TLS failures";
                if (hasPolicy) {
                    c.warn("TLS-RPT", text, "TLS-RPT: with DANE or MTA-STS in force, failures make senders hold or "
                            + "refuse mail, and without reports nobody here learns why; publish " + name
                            + ". IN TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@" + domain + "\"");
                } else {
                    c.skip("TLS-RPT", text);
                }
            }
            case TlsRptLookup.Invalid i -> {
                exchange.add(name + ": a record senders cannot use");
                c.fail("TLS-RPT", i.reason(), "TLS-RPT: senders treat the domain as not asking for reports "
                        + "(RFC 8460 3): publish one record, \"v=TLSRPTv1; rua=mailto:address\" (several URIs "
                        + "separated by commas in one rua field)");
            }
            case TlsRptLookup.Found f -> {
                exchange.add(name + " TXT \"" + AuthTextReport.printable(f.text()) + "\"");
                details.put("record", f.text());
                List<String> rua = f.record().destinations().stream().map(ReportDestination::toString).toList();
                details.put("rua", rua);
                details.put("ignored", f.record().ignored());
                c.pass("TLS-RPT", "reports go to " + String.join(", ", rua) + " (RFC 8460 3)");
                for (String ignored : f.record().ignored()) {
                    c.warn("TLS-RPT", "ignored: " + ignored, "TLS-RPT: senders skip " + ignored);
                }
            }
        }
        details.put("checks", c.json());
        return new RecordsStep.Outcome(c.status(), List.copyOf(exchange), c.lines(), List.copyOf(c.reasons), details);
    }
}
