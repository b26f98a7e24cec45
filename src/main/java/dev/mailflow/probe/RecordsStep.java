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
            step.meaning.add(Messages.text("records.dkim.noSelector"));
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
            String line = Messages.text("records.spf.line", f.text());
            switch (f.level()) {
                case ERROR -> {
                    failed = true;
                    reasons.add(line);
                }
                case WARNING -> {
                    warned = true;
                    reasons.add(line);
                }
                case NOTE -> meaning.add(Messages.text("records.spf.note", f.text()));
            }
        }
        m.put("findings", findings);
        for (String t : report.tree()) {
            exchange.add("SPF " + t);
        }
        if (report.record() != null && !report.hasErrors()) {
            meaning.add(Messages.text("records.spf.valid", domain, report.dnsLookups(), SpfRecordCheck.MAX_DNS_TERMS,
                    report.voidLookups(), SpfRecordCheck.MAX_VOID_LOOKUPS));
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
                exchange.add(Messages.text("records.dmarc.many.line", name, dmarc.size()));
                failed = true;
                reasons.add(Messages.text("records.dmarc.many", name, dmarc.size()));
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
                    meaning.add(Messages.text("records.dmarc.inherited", domain, at,
                            record.subdomainPolicy() != null ? "sp=" : "p="));
                }
                for (String e : Explanations.dmarcRecord(record)) {
                    meaning.add(Messages.text("records.dmarc.line", e));
                }
                for (String n : record.notes()) {
                    meaning.add(Messages.text("records.dmarc.line", n));
                }
                if (!record.usable()) {
                    failed = true;
                    for (String p : record.problems()) {
                        reasons.add(Messages.text("records.dmarc.unusable", p));
                    }
                } else {
                    for (String p : record.problems()) {
                        warned = true;
                        reasons.add(Messages.text("records.dmarc.asNone", p));
                    }
                }
                for (var uri : record.rua()) {
                    if (!"mailto".equalsIgnoreCase(uri.getScheme())) {
                        warned = true;
                        reasons.add(Messages.text("records.dmarc.ruaNotMailto", uri));
                    }
                }
                if (record.effective().policy() == DmarcPolicy.NONE) {
                    warned = true;
                    reasons.add(Messages.text("records.dmarc.pNone", domain));
                }
                return m;
            }
            exchange.add(Messages.text("records.dmarc.none.line", name));
            int dot = at.indexOf('.');
            if (dot < 0 || at.indexOf('.', dot + 1) < 0) {
                break; // the next name up would be a top-level domain
            }
            at = at.substring(dot + 1);
        }
        warned = true;
        reasons.add(Messages.text("records.dmarc.none", domain));
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
            reasons.add(Messages.text("records.dkim.badSelector", AuthTextReport.printable(selector)));
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
            exchange.add(Messages.text("records.dkim.noKey.line", name));
            failed = true;
            reasons.add(Messages.text("records.dkim.noKey", name, selector));
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
            reasons.add(Messages.text("records.dkim.revoked", name, selector));
        } else if (!key.usable()) {
            result = "fail";
            reasons.add(Messages.text("records.dkim.line", key.problem()));
        } else if (key.weak()) {
            result = "warn";
            reasons.add(Messages.text("records.dkim.weak", name, key.rsaBits()));
        } else {
            result = "pass";
            meaning.add(key.keyType().equals("rsa") ? Messages.text("records.dkim.rsa", name, key.rsaBits())
                    : Messages.text("records.dkim.ed25519", name));
        }
        if (key.testing()) {
            result = result.equals("pass") ? "warn" : result;
            reasons.add(Messages.text("records.dkim.testing", name));
        }
        if (keys.size() > 1) {
            result = "fail";
            reasons.add(Messages.text("records.dkim.many", name, keys.size()));
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
                exchange.add(Messages.text("records.caa.noAnswer.line", at));
                meaning.add(Messages.text("records.caa.tempFail", at, t.reason()));
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
                                reasons.add(Messages.text("records.caa.critical", at, AuthTextReport.printable(r.tag()),
                                        domain));
                            }
                        }
                    }
                }
                m.put("name", at);
                m.put("records", f.records().stream().map(Object::toString).toList());
                m.put("issuers", issue);
                m.put("wildcardIssuers", wild);
                m.put("iodef", iodef);
                String where = at.equals(domain) ? Messages.text("records.caa.here")
                        : Messages.text("records.caa.climbed", at);
                var allowed = issue.stream().filter(i -> !i.equals(";")).toList();
                if (issue.isEmpty()) {
                    meaning.add(wild.isEmpty() ? Messages.text("records.caa.anyCa", where, domain)
                            : Messages.text("records.caa.anyCa.wild", where, domain, String.join(", ", wild)));
                } else if (allowed.isEmpty()) {
                    meaning.add(Messages.text("records.caa.noCa", where, domain));
                } else {
                    String more = (wild.isEmpty() ? "" : Messages.text("records.caa.only.wild", String.join(", ", wild)))
                            + (iodef.isEmpty() ? "" : Messages.text("records.caa.only.iodef", String.join(", ", iodef)));
                    meaning.add(Messages.text("records.caa.only", where, String.join(", ", allowed), domain, more));
                }
                return m;
            }
            int dot = at.indexOf('.');
            if (dot < 0 || dot == at.length() - 1) {
                meaning.add(Messages.text("records.caa.none", domain));
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
                exchange.add(Messages.text("records.noAnswer.line", name));
                failed = true;
                reasons.add(Messages.text("records.txt.tempFail", name, t.reason()));
                yield null;
            }
        };
    }
}
