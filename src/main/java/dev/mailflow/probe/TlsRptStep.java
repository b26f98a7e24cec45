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
                exchange.add(Messages.text("records.noAnswer.line", name));
                c.fail("TLS-RPT", Messages.text("policy.txt.tempFail", name, t.reason()),
                        Messages.text("dns.tempFail.reason"));
            }
            case TlsRptLookup.Absent a -> {
                exchange.add(Messages.text("tlsRpt.none.line", name));
                String text = Messages.text("tlsRpt.none", domain, name);
                if (hasPolicy) {
                    c.warn("TLS-RPT", text, Messages.text("tlsRpt.none.reason", name, domain));
                } else {
                    c.skip("TLS-RPT", text);
                }
            }
            case TlsRptLookup.Invalid i -> {
                exchange.add(Messages.text("tlsRpt.invalid.line", name));
                c.fail("TLS-RPT", i.reason(), Messages.text("tlsRpt.invalid.reason"));
            }
            case TlsRptLookup.Found f -> {
                exchange.add(name + " TXT \"" + AuthTextReport.printable(f.text()) + "\"");
                details.put("record", f.text());
                List<String> rua = f.record().destinations().stream().map(ReportDestination::toString).toList();
                details.put("rua", rua);
                details.put("ignored", f.record().ignored());
                c.pass("TLS-RPT", Messages.text("tlsRpt.found", String.join(", ", rua)));
                for (String ignored : f.record().ignored()) {
                    c.warn("TLS-RPT", Messages.text("tlsRpt.ignored", ignored),
                            Messages.text("tlsRpt.ignored.reason", ignored));
                }
            }
        }
        details.put("checks", c.json());
        return new RecordsStep.Outcome(c.status(), List.copyOf(exchange), c.lines(), List.copyOf(c.reasons), details);
    }
}
