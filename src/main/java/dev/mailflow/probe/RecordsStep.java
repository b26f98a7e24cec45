package dev.mailflow.probe;

import dev.mailflow.auth.dkim.DkimKeyRecord;
import dev.mailflow.auth.dmarc.DmarcPolicy;
import dev.mailflow.auth.dmarc.DmarcRecord;
import dev.mailflow.auth.spf.SpfRecordCheck;
import dev.mailflow.dns.DnsAnswer;
import dev.mailflow.dns.DnsNames;
import dev.mailflow.dns.DnsResolver;
import dev.mailflow.dns.TxtRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The probe's RECORDS step: the domain's email authentication records as a receiver will read
 * them. Its SPF record checked whole ({@link SpfRecordCheck}: syntax with position, the lookup
 * and void-lookup limits of RFC 7208 4.6.4, {@code +all}/{@code ?all}, {@code ptr}, more than
 * one record); its DMARC record at {@code _dmarc.DOMAIN} (RFC 9989 4.7, 4.8), each tag
 * explained, a missing one a finding (with the parent domains asked, as the tree walk of
 * RFC 9989 4.10 would); each DKIM selector asked for (RFC 6376 3.6.2.1): the key found, its
 * algorithm and size (RFC 8301 3.2: under 1024 bits refused, under 2048 weak), t=y, revoked;
 * and the CAA records that say which CAs may issue the domain's certificates (RFC 8659).
 *
 * <p>FAIL when a receiver cannot use a record (permerror, no SPF, a broken or missing key);
 * WARN for a record that works but protects less than it could; PASS otherwise.
 */
final class RecordsStep {

    /** What the step found, as the probe's step fields. */
    record Outcome(String status, List<String> exchange, List<String> meaning, List<String> reasons,
            Map<String, Object> details) {
    }

    private final DnsResolver dns;
    private final List<String> exchange = new ArrayList<>();
    private final List<String> meaning = new ArrayList<>();
    private final List<String> reasons = new ArrayList<>();
    private boolean failed;
    private boolean warned;

    private RecordsStep(DnsResolver dns) {
        this.dns = dns;
    }

    static Outcome run(DnsResolver dns, String domain, List<String> selectors) {
        var step = new RecordsStep(dns);
        String d = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
        var details = new LinkedHashMap<String, Object>();
        details.put("spf", step.spf(d));
        details.put("dmarc", step.dmarc(d));
        var keys = new ArrayList<Map<String, Object>>();
        for (String s : selectors) {
            keys.add(step.dkim(s, d));
        }
        details.put("dkim", keys);
        if (selectors.isEmpty()) {
            step.meaning.add("DKIM: no selector given (--dkim-selector S): a key's name is not discoverable "
                    + "from DNS, only from a signed message's s= tag.");
        }
        details.put("caa", step.caa(d));
        String status = step.failed ? "FAIL" : step.warned ? "WARN" : "PASS";
        return new Outcome(status, List.copyOf(step.exchange), List.copyOf(step.meaning), List.copyOf(step.reasons),
                details);
    }

    private Map<String, Object> spf(String domain) {
        var report = new SpfRecordCheck(dns).check(domain);
        var m = new LinkedHashMap<String, Object>();
        m.put("record", report.record());
        m.put("dnsLookups", report.dnsLookups());
        m.put("voidLookups", report.voidLookups());
        m.put("tree", report.tree());
        var findings = new ArrayList<Map<String, String>>();
        for (var f : report.findings()) {
            findings.add(Map.of("level", f.level().name(), "text", f.text()));
            String line = "SPF: " + f.text();
            switch (f.level()) {
                case ERROR -> {
                    failed = true;
                    reasons.add(line);
                }
                case WARNING -> {
                    warned = true;
                    reasons.add(line);
                }
                case NOTE -> meaning.add(line + ".");
            }
        }
        m.put("findings", findings);
        for (String t : report.tree()) {
            exchange.add("SPF " + t);
        }
        if (report.record() != null && !report.hasErrors()) {
            meaning.add("SPF: the record of " + domain + " is valid; " + report.dnsLookups() + " of "
                    + SpfRecordCheck.MAX_DNS_TERMS + " DNS-querying terms, " + report.voidLookups() + " of "
                    + SpfRecordCheck.MAX_VOID_LOOKUPS + " void lookups (RFC 7208 4.6.4).");
        }
        return m;
    }

    private Map<String, Object> dmarc(String domain) {
        var m = new LinkedHashMap<String, Object>();
        // RFC 9989 4.10: the From domain's own record, else the walk up toward the top (not the TLD itself).
        String at = domain;
        while (true) {
            String name = "_dmarc." + at;
            var found = records(name);
            if (found == null) {
                m.put("domain", at);
                return m; // temporary failure: said by records()
            }
            var dmarc = found.stream().map(DmarcRecord::parse).flatMap(java.util.Optional::stream).toList();
            if (dmarc.size() > 1) {
                exchange.add("DMARC " + name + ": " + dmarc.size() + " DMARC records");
                failed = true;
                reasons.add("DMARC: " + name + " has " + dmarc.size() + " DMARC records; receivers use none of them "
                        + "(RFC 9989 4.10): keep one");
                m.put("domain", at);
                m.put("records", dmarc.stream().map(DmarcRecord::text).toList());
                return m;
            }
            if (dmarc.size() == 1) {
                var record = dmarc.get(0);
                exchange.add("DMARC " + name + " TXT \"" + AuthTextReport.printable(record.text()) + "\"");
                m.put("domain", at);
                m.put("record", record.text());
                m.put("policy", record.policy().word());
                m.put("subdomainPolicy", record.subdomainPolicy() == null ? null : record.subdomainPolicy().word());
                m.put("nonExistentPolicy", record.nonExistentPolicy() == null ? null
                        : record.nonExistentPolicy().word());
                m.put("adkim", record.strictDkim() ? "s" : "r");
                m.put("aspf", record.strictSpf() ? "s" : "r");
                m.put("testing", record.testing());
                m.put("rua", record.rua().stream().map(Object::toString).toList());
                m.put("ruf", record.ruf().stream().map(Object::toString).toList());
                m.put("problems", record.problems());
                m.put("notes", record.notes());
                if (!at.equals(domain)) {
                    meaning.add("DMARC: " + domain + " has no record of its own; the record of " + at
                            + " applies to it (" + (record.subdomainPolicy() != null ? "sp=" : "p=") + "), found by "
                            + "the tree walk (RFC 9989 4.10).");
                }
                for (String e : Explanations.dmarcRecord(record)) {
                    meaning.add("DMARC: " + e + ".");
                }
                for (String n : record.notes()) {
                    meaning.add("DMARC: " + n + ".");
                }
                if (!record.usable()) {
                    failed = true;
                    for (String p : record.problems()) {
                        reasons.add("DMARC: " + p + ", and there is no valid rua=: receivers cannot use the record "
                                + "(RFC 9989 4.10.1)");
                    }
                } else {
                    for (String p : record.problems()) {
                        warned = true;
                        reasons.add("DMARC: " + p + ": with a valid rua=, receivers take the record as p=none "
                                + "(RFC 9989 4.10.1)");
                    }
                }
                for (var uri : record.rua()) {
                    if (!"mailto".equalsIgnoreCase(uri.getScheme())) {
                        warned = true;
                        reasons.add("DMARC: rua=" + uri + " is not a mailto: address: receivers send reports only "
                                + "to mailto: URIs");
                    }
                }
                if (record.effective().policy() == DmarcPolicy.NONE) {
                    warned = true;
                    reasons.add("DMARC: p=none asks receivers to do nothing with mail that fails: forged mail "
                            + "from " + domain + " is still delivered (move to quarantine, then reject)");
                }
                return m;
            }
            exchange.add("DMARC " + name + ": no DMARC record");
            int dot = at.indexOf('.');
            if (dot < 0 || at.indexOf('.', dot + 1) < 0) {
                break; // the next name up would be a top-level domain
            }
            at = at.substring(dot + 1);
        }
        warned = true;
        reasons.add("DMARC: " + domain + " publishes no DMARC record (none at _dmarc." + domain
                + " or its parents): receivers apply no policy to forged mail from it, and nobody gets "
                + "reports; start with v=DMARC1; p=none; rua=mailto:... and tighten from there");
        m.put("domain", domain);
        m.put("record", null);
        return m;
    }

    private Map<String, Object> dkim(String selector, String domain) {
        var m = new LinkedHashMap<String, Object>();
        String name = selector + "._domainkey." + domain;
        m.put("selector", selector);
        m.put("name", name);
        if (DnsNames.normalize(name).isEmpty()) {
            failed = true;
            reasons.add("DKIM: " + AuthTextReport.printable(selector) + " is not a selector DNS can hold");
            m.put("result", "fail");
            return m;
        }
        var found = records(name);
        if (found == null) {
            m.put("result", "fail");
            return m;
        }
        var keys = found.stream().filter(t -> t.contains("p=")).toList();
        if (keys.isEmpty()) {
            exchange.add("DKIM " + name + ": no key record");
            failed = true;
            reasons.add("DKIM: no key at " + name + ": every signature with s=" + selector + " gives permerror "
                    + "(publish the record that mailflow dkim keygen printed)");
            m.put("result", "fail");
            m.put("found", false);
            return m;
        }
        String text = keys.get(0);
        exchange.add("DKIM " + name + " TXT \"" + AuthTextReport.printable(text) + "\"");
        var key = DkimKeyRecord.inspect(text, name);
        m.put("found", true);
        m.put("record", text);
        m.put("keyType", key.keyType());
        m.put("rsaBits", key.rsaBits());
        m.put("testing", key.testing());
        m.put("revoked", key.revoked());
        String result;
        if (key.revoked()) {
            result = "fail";
            reasons.add("DKIM: the key at " + name + " is revoked (empty p=): signatures with s=" + selector
                    + " give permerror; fine if the selector is retired");
        } else if (!key.usable()) {
            result = "fail";
            reasons.add("DKIM: " + key.problem());
        } else if (key.weak()) {
            result = "warn";
            reasons.add("DKIM: the RSA key at " + name + " has " + key.rsaBits() + " bits: verifiers accept it, but "
                    + "RFC 8301 3.2 asks for 2048 (make a new key with mailflow dkim keygen and a new selector)");
        } else {
            result = "pass";
            meaning.add("DKIM: " + name + ": " + (key.keyType().equals("rsa") ? "a " + key.rsaBits() + "-bit RSA key"
                    + " (RFC 8301)" : "an Ed25519 key (RFC 8463)") + ", usable by verifiers (RFC 6376 3.6.1).");
        }
        if (key.testing()) {
            result = result.equals("pass") ? "warn" : result;
            reasons.add("DKIM: the key at " + name + " says t=y: the domain is testing, and verifiers treat a "
                    + "failing signature like no signature; remove t=y once signing works");
        }
        if (keys.size() > 1) {
            result = "fail";
            reasons.add("DKIM: " + name + " has " + keys.size() + " key records: verifiers may take any one (publish one)");
        }
        failed |= result.equals("fail");
        warned |= result.equals("warn");
        m.put("result", result);
        return m;
    }

    /** The TXT records of a name: empty when there are none, null (with the reason said) when DNS failed. */
    /**
     * CAA (RFC 8659): which CAs may issue certificates for the domain's names (its MX hosts',
     * the MTA-STS policy host's). The relevant set is the first found climbing from the domain
     * toward the root (RFC 8659 3). Informative: it never fails the step.
     */
    private Map<String, Object> caa(String domain) {
        var m = new LinkedHashMap<String, Object>();
        String at = domain;
        while (true) {
            var answer = dns.caa(at);
            if (answer instanceof DnsAnswer.TempFail<dev.mailflow.dns.CaaRecord> t) {
                exchange.add("CAA " + at + ": no answer");
                meaning.add("CAA: the CAA records of " + at + " could not be fetched (" + t.reason() + "); a CA "
                        + "asked to issue a certificate now must refuse (RFC 8659 3).");
                m.put("name", at);
                m.put("tempfail", true);
                return m;
            }
            if (answer instanceof DnsAnswer.Found<dev.mailflow.dns.CaaRecord> f) {
                var issue = new ArrayList<String>();
                var wild = new ArrayList<String>();
                var iodef = new ArrayList<String>();
                for (var r : f.records()) {
                    exchange.add("CAA " + at + " " + AuthTextReport.printable(r.toString()));
                    String v = r.value().strip();
                    String issuer = v.contains(";") ? v.substring(0, v.indexOf(';')).strip() : v;
                    switch (r.tag()) {
                        case "issue" -> issue.add(issuer.isEmpty() ? ";" : issuer);
                        case "issuewild" -> wild.add(issuer.isEmpty() ? ";" : issuer);
                        case "iodef" -> iodef.add(v);
                        default -> {
                            if (r.critical()) {
                                warned = true;
                                reasons.add("CAA: " + at + " has the critical property " + AuthTextReport.printable(
                                        r.tag()) + ", which CAs do not know: every CA must refuse to issue for "
                                        + domain + " (RFC 8659 4.1)");
                            }
                        }
                    }
                }
                m.put("name", at);
                m.put("records", f.records().stream().map(Object::toString).toList());
                m.put("issuers", issue);
                m.put("wildcardIssuers", wild);
                m.put("iodef", iodef);
                String where = at.equals(domain) ? "" : " (the record of " + at + ", found by climbing, RFC 8659 3)";
                var allowed = issue.stream().filter(i -> !i.equals(";")).toList();
                if (issue.isEmpty()) {
                    meaning.add("CAA" + where + ": no issue property: any CA may issue certificates for " + domain
                            + (wild.isEmpty() ? "" : " (wildcards: " + String.join(", ", wild) + ")") + ".");
                } else if (allowed.isEmpty()) {
                    meaning.add("CAA" + where + ": no CA may issue certificates for " + domain + " (issue \";\"): "
                            + "its MX hosts and mta-sts." + domain + " need CAA records of their own to get one.");
                } else {
                    meaning.add("CAA" + where + ": only " + String.join(", ", allowed) + " may issue certificates for "
                            + domain + " and its names (MX hosts, mta-sts." + domain + ")" + (wild.isEmpty() ? ""
                            : "; wildcards: " + String.join(", ", wild)) + (iodef.isEmpty() ? ""
                            : "; refused requests are reported to " + String.join(", ", iodef)) + ".");
                }
                return m;
            }
            int dot = at.indexOf('.');
            if (dot < 0 || dot == at.length() - 1) {
                meaning.add("CAA: none at " + domain + " or above: any CA may issue certificates for its names "
                        + "(RFC 8659); a CAA record limits that to the CAs you use.");
                m.put("name", null);
                return m;
            }
            at = at.substring(dot + 1);
        }
    }

    private List<String> records(String name) {
        return switch (dns.txt(name)) {
            case DnsAnswer.Found<TxtRecord> f -> f.records().stream().map(TxtRecord::text).toList();
            case DnsAnswer.NotFound<TxtRecord> n -> List.of();
            case DnsAnswer.TempFail<TxtRecord> t -> {
                exchange.add(name + ": no answer");
                failed = true;
                reasons.add("The TXT records of " + name + " could not be fetched: " + t.reason());
                yield null;
            }
        };
    }
}
