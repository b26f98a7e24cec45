package dev.mailflow.tlspolicy.dane;

import dev.mailflow.dns.DnsAnswer;
import dev.mailflow.dns.DnsNames;
import dev.mailflow.dns.DnsResolver;
import dev.mailflow.dns.RecordType;
import dev.mailflow.dns.TlsaRecord;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The DANE TLSA lookup for one SMTP server (RFC 7672 2.2.2, 2.2.3): is DANE in force for this
 * host, and with which records.
 *
 * <ol>
 * <li>The host's address records (A and AAAA) must be DNSSEC-validated: TLSA records are looked
 *     up only for a host whose addresses are secure (RFC 7672 2.2.2), so an attacker who can
 *     forge an insecure answer cannot make us look for TLSA where there is none or skip it.
 *     A failed address lookup is a {@link DaneResult.TempFail}: it may be a bogus answer.
 * <li>When the host is an alias, its CNAME chain is followed; every alias must be secure too.
 *     The TLSA records are asked at the fully expanded name first and, when there are none
 *     there, at the original name (RFC 7672 2.2.3).
 * <li>TLSA at {@code _<port>._tcp.<name>} (RFC 6698 3). Secure records: {@link
 *     DaneResult.Usable} or {@link DaneResult.NoneUsable}; insecure records or a denial:
 *     {@link DaneResult.NotDane}; a failure or a bogus answer: {@link DaneResult.TempFail}.
 * </ol>
 *
 * <p>Which hosts to ask about is the caller's: the MX hosts of a domain, or the domain itself
 * when it has no MX. RFC 7672 2.2.1 lets DANE apply to the hosts of an insecure MX RRset
 * (a hosting provider's signed zone serving unsigned customer domains); the reference
 * identifiers are then only the host's own names.
 *
 * <p>The resolver's "authenticated" flag is the whole of DNSSEC here (see {@code
 * dev.mailflow.dns.DnsjavaResolver}: the AD bit of a local validating resolver, or our own
 * validation); a bogus answer reaches us as a TempFail.
 */
public final class DaneLookup {

    /** RFC 7672 2.2.3 leaves the limit to us; resolvers stop at 8 to 16. */
    private static final int MAX_CNAME_HOPS = 8;

    private final DnsResolver dns;

    public DaneLookup(DnsResolver dns) {
        this.dns = dns;
    }

    /**
     * @param host the SMTP server's name (an MX host, or the domain itself)
     * @param port its port, 25 for MX delivery
     */
    public DaneResult lookup(String host, int port) {
        var normalized = DnsNames.normalize(host);
        if (normalized.isEmpty()) {
            return new DaneResult.NotDane(host + " is not a valid host name");
        }
        String name = normalized.get();
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not 1 to 65535");
        }

        // 1. The address records must be secure (RFC 7672 2.2.2).
        var a = dns.a(name);
        var aaaa = dns.aaaa(name);
        // An answer that came and is insecure settles it, whatever the other lookup did: a
        // validating resolver gives bogus, not insecure, for a forged answer in a signed zone.
        for (var answer : List.of(a, aaaa)) {
            boolean insecure = answer instanceof DnsAnswer.Found<?> f && !f.authenticated()
                    || answer instanceof DnsAnswer.NotFound<?> n && !n.authenticated();
            if (insecure && (a instanceof DnsAnswer.TempFail<?> || aaaa instanceof DnsAnswer.TempFail<?>)) {
                return new DaneResult.NotDane("the address records of " + name
                        + " are not DNSSEC-signed (insecure), so its TLSA records are not looked up (RFC 7672 2.2.2)");
            }
        }
        for (var answer : List.of(a, aaaa)) {
            if (answer instanceof DnsAnswer.TempFail<?> t) {
                return new DaneResult.TempFail("the address records of " + name + " could not be looked up: "
                        + t.reason());
            }
        }
        boolean anyAddress = a instanceof DnsAnswer.Found<?> || aaaa instanceof DnsAnswer.Found<?>;
        if (!anyAddress) {
            return new DaneResult.NotDane(name + " has no A or AAAA record");
        }
        for (var answer : List.of(a, aaaa)) {
            if (answer instanceof DnsAnswer.Found<?> f && !f.authenticated()) {
                return new DaneResult.NotDane("the address records of " + name
                        + " are not DNSSEC-signed (insecure), so its TLSA records are not looked up (RFC 7672 2.2.2)");
            }
        }

        // 2. The CNAME expansion, every alias secure (RFC 7672 2.2.2, 2.2.3).
        String expanded = name;
        var seen = new LinkedHashSet<String>();
        seen.add(name);
        while (true) {
            var alias = dns.lookup(expanded, RecordType.CNAME);
            if (alias instanceof DnsAnswer.TempFail<String> t) {
                return new DaneResult.TempFail("the CNAME lookup of " + expanded + " failed: " + t.reason());
            }
            if (!(alias instanceof DnsAnswer.Found<String> f)) {
                break;
            }
            if (!f.authenticated()) {
                return new DaneResult.NotDane("the alias " + expanded + " -> " + f.records().get(0)
                        + " is not DNSSEC-signed (insecure)");
            }
            String target = DnsNames.normalize(f.records().get(0)).orElse(null);
            if (target == null || !seen.add(target) || seen.size() > MAX_CNAME_HOPS + 1) {
                return new DaneResult.TempFail("the CNAME chain of " + name + " loops or is longer than "
                        + MAX_CNAME_HOPS + " names");
            }
            expanded = target;
        }

        // 3. TLSA at the expanded name first, then at the original (RFC 7672 2.2.3).
        var bases = expanded.equals(name) ? List.of(name) : List.of(expanded, name);
        var denials = new ArrayList<String>();
        for (String base : bases) {
            String tlsaName = "_" + port + "._tcp." + base;
            var answer = dns.tlsa(tlsaName);
            switch (answer) {
                case DnsAnswer.TempFail<TlsaRecord> t -> {
                    return new DaneResult.TempFail("the TLSA lookup of " + tlsaName + " failed: " + t.reason());
                }
                case DnsAnswer.NotFound<TlsaRecord> n -> denials.add(tlsaName + " " + n.describe()
                        + (n.authenticated() ? " (DNSSEC-validated denial)" : " (not DNSSEC-validated)"));
                case DnsAnswer.Found<TlsaRecord> f -> {
                    if (!f.authenticated()) {
                        return new DaneResult.NotDane("the TLSA records at " + tlsaName
                                + " are not DNSSEC-signed (insecure), so they cannot be used (RFC 7672 2.2)");
                    }
                    var usable = f.records().stream().filter(TlsaRecords::isUsable).toList();
                    if (usable.isEmpty()) {
                        return new DaneResult.NoneUsable(tlsaName, f.records());
                    }
                    var references = new LinkedHashSet<String>();
                    references.add(name);
                    references.add(base);
                    return new DaneResult.Usable(tlsaName, usable, List.copyOf(references));
                }
            }
        }
        return new DaneResult.NotDane("no TLSA records: " + String.join("; ", denials));
    }
}
