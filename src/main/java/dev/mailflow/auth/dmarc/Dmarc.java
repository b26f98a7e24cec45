package dev.mailflow.auth.dmarc;

import dev.mailflow.auth.dkim.DkimResult;
import dev.mailflow.auth.dkim.DkimStatus;
import dev.mailflow.auth.dkim.DkimVerification;
import dev.mailflow.auth.dkim.ParsedMessage;
import dev.mailflow.auth.spf.SpfOutcome;
import dev.mailflow.auth.spf.SpfResult;
import dev.mailflow.dns.DnsAnswer;
import dev.mailflow.dns.DnsResolver;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * DMARC (RFC 9989): finds the policy for the message's RFC 5322.From domain and decides
 * whether SPF or DKIM passed for an aligned domain, as a Mail Receiver does it (5.3):
 *
 * <ol>
 * <li>the Author Domain from the From field (5.3.1, {@link AuthorDomains});</li>
 * <li>policy discovery (4.10.1): the record at {@code _dmarc.<author>}, else the one at the
 *     Organizational Domain, else a Public Suffix Domain's (psd=y), found by the DNS Tree Walk
 *     (4.10, {@link TreeWalk}); no public suffix list. The Author Domain's own record gives
 *     p=; a record above it gives sp=, or np= when the Author Domain does not exist (3.2.13,
 *     A.4: NXDOMAIN, asked with A, AAAA and MX queries, any answer or NODATA meaning it
 *     exists), else p=;</li>
 * <li>alignment (4.4, 4.10.2, 5.3.4): an SPF pass for the MAIL FROM domain (or the HELO name
 *     for the null sender, RFC 7208 2.4) or a DKIM pass for a d= that is the Author Domain
 *     (strict, adkim/aspf=s) or has the same Organizational Domain (relaxed, the default),
 *     each Organizational Domain found by its own tree walk;</li>
 * <li>pass when one aligns, else fail (5.3.5); a DNS failure on the way is temperror, never
 *     fail (5.3.6); a record with an invalid p=, sp= or np= and no valid rua= is permerror
 *     (4.10.1: no DMARC processing; RFC 9989 9.2 names "an improperly formatted DMARC Policy
 *     Record" as permerror).</li>
 * </ol>
 *
 * <p>The outcome names the policy of the record (t=y kept apart, see
 * {@link DmarcOutcome#disposition()}); what to do with a failure is the receiver's choice
 * (5.3.6). No reports are sent; rua= and ruf= are parsed and kept in the record.
 *
 * <p>Thread-safe: each evaluation has its own walk.
 */
public final class Dmarc {

    private final DnsResolver dns;

    public Dmarc(DnsResolver dns) {
        this.dns = Objects.requireNonNull(dns);
    }

    /**
     * @param message the message as received (header section at least), CRLF or LF line ends
     * @param spf     the SPF outcome of the MAIL FROM (or HELO) identity, or null when not checked
     * @param dkim    the DKIM verification of the message
     */
    public DmarcOutcome evaluate(byte[] message, SpfOutcome spf, DkimVerification dkim) {
        return evaluate(ParsedMessage.of(message), spf, dkim);
    }

    /** The same, for a message already split into its fields (which the other checks read too). */
    public DmarcOutcome evaluate(ParsedMessage message, SpfOutcome spf, DkimVerification dkim) {
        AuthorDomains.Result authors = AuthorDomains.of(message);
        if (authors.problem() != null) {
            return new DmarcOutcome(DmarcResult.NONE, null, null, null, null, false, "", false, false,
                    "DMARC does not apply: " + authors.problem() + " (RFC 9989 5.3.1)", List.of());
        }
        List<String> domains = authors.domains();
        if (domains.size() == 1) {
            var trace = new ArrayList<String>();
            if (authors.fields() > 1) {
                trace.add("the message has " + authors.fields() + " From fields, all with the domain " + domains.get(0));
            }
            return evaluate(domains.get(0), spf, dkim, trace);
        }
        if (domains.size() > AuthorDomains.MAX) {
            return new DmarcOutcome(DmarcResult.PERMERROR, domains.get(0), null, null, null, false, "", false, false,
                    "the From field names " + domains.size() + " domains; DMARC evaluates at most "
                            + AuthorDomains.MAX + " (RFC 9989 11.5), so it was not evaluated", List.of());
        }
        // RFC 9989 11.5: evaluate each Author Domain; the strictest outcome stands.
        DmarcOutcome worst = null;
        var trace = new ArrayList<String>();
        trace.add("the From field names " + domains.size() + " domains (" + String.join(", ", domains)
                + "); each is evaluated and the strictest outcome stands (RFC 9989 11.5)");
        for (String d : domains) {
            DmarcOutcome o = evaluate(d, spf, dkim, new ArrayList<>());
            trace.add("-- " + d + ": " + o.result() + ": " + o.reason());
            o.trace().forEach(line -> trace.add("   " + line));
            if (worst == null || severity(o) > severity(worst)) {
                worst = o;
            }
        }
        return new DmarcOutcome(worst.result(), worst.fromDomain(), worst.policyDomain(), worst.orgDomain(),
                worst.policy(), worst.testing(), worst.record(), worst.spfAligned(), worst.dkimAligned(),
                worst.reason() + " (the strictest of the " + domains.size() + " From domains)", trace);
    }

    /** fail with the strictest disposition, then temperror, permerror, none, pass. */
    private static int severity(DmarcOutcome o) {
        return switch (o.result()) {
            case FAIL -> 10 + 3 * o.disposition().ordinal() + (o.policy() == null ? 0 : o.policy().ordinal());
            case TEMPERROR -> 4;
            case PERMERROR -> 3;
            case NONE -> 2;
            case PASS -> 1;
        };
    }

    private enum Alignment {
        ALIGNED, NOT_ALIGNED, UNKNOWN
    }

    private DmarcOutcome evaluate(String author, SpfOutcome spf, DkimVerification dkim, List<String> trace) {
        var walker = new TreeWalk(dns, trace);
        trace.add("Author Domain: " + author);
        TreeWalk.Walk walk = walker.walk(author);
        String org = null;
        if (walk.tempFail() != null && walk.at(author) == null) {
            return new DmarcOutcome(DmarcResult.TEMPERROR, author, null, null, null, false, "", false, false,
                    "the DMARC policy could not be looked up for now: " + walk.tempFail(), trace);
        } else if (walk.tempFail() != null) {
            trace.add("the Organizational Domain of " + author + " is unknown for now (its own record was found)");
        } else {
            org = walk.organizationalDomain();
            trace.add("Organizational Domain of " + author + ": " + org + " (RFC 9989 4.10.2)");
        }

        // Policy discovery, 4.10.1: the Author Domain, its Organizational Domain, its PSD.
        String policyDomain;
        DmarcRecord record = walk.at(author);
        if (record != null) {
            policyDomain = author;
        } else if (org != null && walk.at(org) != null) {
            policyDomain = org;
            record = walk.at(org);
        } else if (walk.publicSuffix() != null) {
            policyDomain = walk.publicSuffix().domain();
            record = walk.publicSuffix().record();
        } else {
            return new DmarcOutcome(DmarcResult.NONE, author, null, org, null, false, "", false, false,
                    "no DMARC record for " + author + " (asked " + TreeWalk.names(author).size()
                            + " names up the tree, RFC 9989 4.10.1)", trace);
        }
        trace.add("policy record: _dmarc." + policyDomain);
        if (!record.usable()) {
            return new DmarcOutcome(DmarcResult.PERMERROR, author, policyDomain, org, null, false, record.text(),
                    false, false, "the DMARC record at _dmarc." + policyDomain + " is unusable: "
                            + String.join("; ", record.problems())
                            + ", and it has no valid rua=, so no DMARC processing applies (RFC 9989 4.10.1)",
                    trace);
        }
        if (!record.problems().isEmpty()) {
            trace.add(String.join("; ", record.problems()) + ": the record counts as p=none since it has a valid rua= "
                    + "(RFC 9989 4.10.1)");
            record = record.effective();
        }

        // Alignment, 4.4 and 4.10.2.
        Alignment spfAlign = Alignment.NOT_ALIGNED;
        if (spf != null && spf.result() == SpfResult.PASS && spf.domain() != null) {
            String id = AuthorDomains.domain(spf.domain());
            spfAlign = id == null ? Alignment.NOT_ALIGNED
                    : align("SPF", id, author, org, record.strictSpf(), walker, trace);
        } else {
            trace.add("SPF: " + (spf == null ? "not checked" : spf.result().word() + ", so it cannot align"));
        }
        Alignment dkimAlign = Alignment.NOT_ALIGNED;
        var seen = new ArrayList<String>();
        for (DkimResult r : dkim.signatures()) {
            if (!r.passed() || r.domain() == null) {
                continue;
            }
            String id = AuthorDomains.domain(r.domain());
            if (id == null || seen.contains(id)) {
                continue;
            }
            seen.add(id);
            Alignment a = align("DKIM", id, author, org, record.strictDkim(), walker, trace);
            if (a == Alignment.ALIGNED || (a == Alignment.UNKNOWN && dkimAlign == Alignment.NOT_ALIGNED)) {
                dkimAlign = a;
            }
            if (a == Alignment.ALIGNED) {
                break;
            }
        }
        if (seen.isEmpty()) {
            trace.add("DKIM: no signature passed, so none can align");
        }
        boolean spfOk = spfAlign == Alignment.ALIGNED;
        boolean dkimOk = dkimAlign == Alignment.ALIGNED;

        // Which policy applies: p=, sp= or np= (4.10.1).
        boolean own = policyDomain.equals(author);
        Boolean exists = own || record.nonExistentPolicy() == null ? Boolean.TRUE : exists(author, trace);
        DmarcPolicy policy = record.policyFor(own, exists == null || exists);
        String which = own ? "p=" : exists != null && !exists && record.nonExistentPolicy() != null ? "np="
                : record.subdomainPolicy() != null ? "sp=" : "p=";
        trace.add("policy: " + which + policy.word() + (record.testing() ? " with t=y (testing)" : ""));

        String how = spfOk && dkimOk ? "SPF and DKIM" : spfOk ? "SPF" : "DKIM";
        if (spfOk || dkimOk) {
            return new DmarcOutcome(DmarcResult.PASS, author, policyDomain, org, policy, record.testing(),
                    record.text(), spfOk, dkimOk, how + " passed for a domain aligned with " + author
                            + " (" + (own ? "" : "policy of " + policyDomain + ", ") + which + policy.word() + ")",
                    trace);
        }
        if (spfAlign == Alignment.UNKNOWN || dkimAlign == Alignment.UNKNOWN) {
            return new DmarcOutcome(DmarcResult.TEMPERROR, author, policyDomain, org, policy, record.testing(),
                    record.text(), false, false, "alignment could not be decided: a DMARC lookup for an "
                            + "authenticated domain failed for now", trace);
        }
        // An SPF or DKIM check that could not finish (temperror) might have passed and aligned:
        // a fail now would turn a DNS outage into a refusal (RFC 9989 leaves the temporary
        // failure to the receiver; ours is to wait, never to bounce).
        boolean dkimUnfinished = dkim.signatures().stream().anyMatch(r -> r.status() == DkimStatus.TEMPERROR);
        if ((spf != null && spf.result() == SpfResult.TEMPERROR) || dkimUnfinished) {
            return new DmarcOutcome(DmarcResult.TEMPERROR, author, policyDomain, org, policy, record.testing(),
                    record.text(), false, false, "nothing aligned, but " + (dkimUnfinished
                            ? "a DKIM key lookup" : "the SPF check") + " failed for now and might have passed",
                    trace);
        }
        if (exists == null) {
            return new DmarcOutcome(DmarcResult.TEMPERROR, author, policyDomain, org, policy, record.testing(),
                    record.text(), false, false, "nothing aligned, but whether " + author + " exists (np= or sp=) "
                            + "could not be decided for now", trace);
        }
        return new DmarcOutcome(DmarcResult.FAIL, author, policyDomain, org, policy, record.testing(),
                record.text(), false, false, "neither SPF nor DKIM passed for a domain aligned with " + author
                        + (record.strictSpf() || record.strictDkim() ? " (strict alignment asked for "
                                + (record.strictSpf() && record.strictDkim() ? "both" : record.strictSpf() ? "SPF"
                                        : "DKIM") + ")" : "")
                        + "; " + which + policy.word() + (own ? "" : " from _dmarc." + policyDomain)
                        + (record.testing() ? ", t=y" : ""),
                trace);
    }

    private static Alignment align(String what, String id, String author, String authorOrg, boolean strict,
            TreeWalk walker, List<String> trace) {
        if (id.equals(author)) {
            trace.add(what + ": " + id + " is the Author Domain: aligned");
            return Alignment.ALIGNED;
        }
        if (strict) {
            trace.add(what + ": " + id + " is not " + author + ", and alignment is strict: not aligned");
            return Alignment.NOT_ALIGNED;
        }
        if (!sharesSuffix(id, author)) {
            trace.add(what + ": " + id + " shares no parent with " + author + ": not aligned");
            return Alignment.NOT_ALIGNED;
        }
        TreeWalk.Walk w = walker.walk(id);
        if (w.tempFail() != null || authorOrg == null) {
            trace.add(what + ": the Organizational Domain of " + id + " is unknown for now");
            return Alignment.UNKNOWN;
        }
        String org = w.organizationalDomain();
        boolean ok = org.equals(authorOrg);
        trace.add(what + ": " + id + " has the Organizational Domain " + org + (ok ? ", as " : ", not ") + author
                + " has: " + (ok ? "aligned (relaxed)" : "not aligned"));
        return ok ? Alignment.ALIGNED : Alignment.NOT_ALIGNED;
    }

    private static boolean sharesSuffix(String a, String b) {
        String la = a.substring(a.lastIndexOf('.') + 1);
        String lb = b.substring(b.lastIndexOf('.') + 1);
        return la.equals(lb);
    }

    /**
     * Whether a domain exists (RFC 9989 3.2.13, A.4): NXDOMAIN means it does not; a record or
     * NODATA means it does. Asked as A, then AAAA, then MX, until one answer decides; null when
     * none could be had.
     */
    private Boolean exists(String domain, List<String> trace) {
        boolean nxdomain = false;
        for (var type : List.of("A", "AAAA", "MX")) {
            DnsAnswer<?> a = switch (type) {
                case "A" -> dns.a(domain);
                case "AAAA" -> dns.aaaa(domain);
                default -> dns.mx(domain);
            };
            if (a instanceof DnsAnswer.Found<?> || (a instanceof DnsAnswer.NotFound<?> n
                    && n.kind() == DnsAnswer.NotFound.Kind.NO_DATA)) {
                trace.add(domain + " exists (" + type + " query): sp= or p= applies, not np=");
                return Boolean.TRUE;
            }
            if (a instanceof DnsAnswer.NotFound<?>) {
                nxdomain = true;
            }
        }
        if (nxdomain) {
            trace.add(domain + " does not exist (NXDOMAIN): np= applies (RFC 9989 3.2.13)");
            return Boolean.FALSE;
        }
        trace.add("whether " + domain + " exists could not be learned for now (A, AAAA and MX failed)");
        return null;
    }
}
