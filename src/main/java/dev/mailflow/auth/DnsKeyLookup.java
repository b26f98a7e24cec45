package dev.mailflow.auth;

import dev.mailflow.auth.dkim.DkimKeyLookup;
import dev.mailflow.dns.DnsAnswer;
import dev.mailflow.dns.DnsResolver;
import dev.mailflow.dns.TxtRecord;
import java.net.IDN;

/**
 * DKIM keys from Mailflow's resolver (and so from its shared cache): the TXT records at
 * {@code selector._domainkey.domain} (RFC 6376 3.6.2.1), the name in A-label form (RFC 8616
 * section 4: an internationalized d= is looked up as its A-label).
 */
public final class DnsKeyLookup implements DkimKeyLookup {

    private final DnsResolver dns;

    public DnsKeyLookup(DnsResolver dns) {
        this.dns = dns;
    }

    @Override
    public Answer lookup(String selector, String domain) {
        String name;
        try {
            name = IDN.toASCII(selector + "._domainkey." + domain, IDN.ALLOW_UNASSIGNED);
        } catch (IllegalArgumentException e) {
            return new NotFound();
        }
        return switch (dns.txt(name)) {
            case DnsAnswer.Found<TxtRecord> f -> new Found(f.records().stream().map(TxtRecord::text).toList());
            case DnsAnswer.NotFound<TxtRecord> n -> new NotFound();
            case DnsAnswer.TempFail<TxtRecord> t -> new TempFail(t.reason());
        };
    }
}
