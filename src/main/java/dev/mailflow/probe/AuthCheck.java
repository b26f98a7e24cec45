package dev.mailflow.probe;

import dev.mailflow.auth.AuthReport;
import dev.mailflow.auth.AuthRequest;
import dev.mailflow.auth.AuthenticationResults;
import dev.mailflow.auth.MessageAuthenticator;
import dev.mailflow.auth.arc.ArcOutcome;
import dev.mailflow.auth.dkim.DkimResult;
import dev.mailflow.auth.dkim.DkimVerification;
import dev.mailflow.auth.dmarc.DmarcOutcome;
import dev.mailflow.auth.dmarc.DmarcResult;
import dev.mailflow.auth.spf.SpfOutcome;
import dev.mailflow.auth.spf.SpfResult;
import dev.mailflow.dns.DnsResolver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code mailflow auth}: a message judged as a receiving server would judge it, through the
 * same {@link MessageAuthenticator} the server uses: SPF for the client address, HELO name
 * and MAIL FROM (RFC 7208), and given the message, DKIM (RFC 6376), ARC (RFC 8617) and DMARC
 * (RFC 9989), with the Authentication-Results field (RFC 8601) the receiver would add.
 */
public final class AuthCheck {

    private AuthCheck() {
    }

    /**
     * What the checks found.
     *
     * @param authservId the receiver's name in Authentication-Results (RFC 8601 2.5)
     * @param spf        the SPF outcome (MAIL FROM identity, or HELO for the null sender)
     * @param report     every check on the message, or null when no message was given
     */
    public record Result(AuthRequest request, String authservId, SpfOutcome spf, AuthReport report) {

        /** Every check that ran passed: the command's exit status 0. */
        public boolean passed() {
            if (report != null) {
                return report.allPassed();
            }
            return spf.result() == SpfResult.PASS || spf.result() == SpfResult.NONE;
        }

        /** The whole header field, folded one result a line with CRLF TAB, ending in CRLF. */
        public String authenticationResults() {
            if (report != null) {
                return AuthenticationResults.field(authservId, report);
            }
            // SPF alone: only its result, since nothing else was checked (RFC 8601 2.2 allows any subset).
            var spfOnly = new AuthReport(request, spf, new DkimVerification(List.of(), 0),
                    new DmarcOutcome(DmarcResult.NONE, null, null, null, null, false, "", false, false, "", List.of()),
                    ArcOutcome.none());
            return AuthenticationResults.FIELD_NAME + ": " + authservId + ";\r\n\t"
                    + AuthenticationResults.results(spfOnly).get(0) + "\r\n";
        }

        /** The field on one line (folding removed), as the JSON report gives it. */
        public String authenticationResultsUnfolded() {
            return authenticationResults().replace("\r\n\t", " ").replace("\r\n", "");
        }

        /** The JSON report (docs/probe.md, "mailflow auth"): names in snake case, RFC 8601 result words. */
        public Map<String, Object> json() {
            var m = new LinkedHashMap<String, Object>();
            m.put("passed", passed());
            m.put("ip", request.ip().getHostAddress());
            m.put("helo", request.helo());
            m.put("mail_from", request.mailFrom());
            m.put("spf", spfJson());
            m.put("dkim", report == null ? List.of() : report.dkim().signatures().stream().map(AuthCheck::dkimJson)
                    .toList());
            m.put("dkim_not_checked", report == null ? 0 : report.dkim().notChecked());
            m.put("dmarc", report == null ? null : dmarcJson(report.dmarc()));
            m.put("arc", report == null ? null : arcJson(report.arc()));
            m.put("authentication_results", authenticationResultsUnfolded());
            return m;
        }

        private Map<String, Object> spfJson() {
            var m = new LinkedHashMap<String, Object>();
            m.put("result", spf.result().word());
            m.put("identity", request.heloIdentity() ? "helo" : "mailfrom");
            m.put("domain", spf.domain());
            m.put("reason", spf.reason());
            m.put("explanation", spf.explanation().orElse(null));
            m.put("record", spf.record().isEmpty() ? null : spf.record());
            m.put("mechanism", spf.mechanism().isEmpty() ? null : spf.mechanism());
            m.put("dns_lookups", spf.dnsLookups());
            m.put("void_lookups", spf.voidLookups());
            m.put("trace", spf.trace());
            return m;
        }
    }

    /**
     * Runs the checks. Never throws for what DNS or the message does: every problem is a result
     * with its reason.
     *
     * @param message the message as received (CRLF or LF line ends), or null for SPF alone
     */
    public static Result run(DnsResolver dns, String authservId, AuthRequest request, byte[] message) {
        var authenticator = new MessageAuthenticator(dns, authservId);
        SpfOutcome spf = authenticator.spf(request);
        AuthReport report = message == null ? null : authenticator.check(request, message, spf);
        return new Result(request, authservId, spf, report);
    }

    private static Map<String, Object> dkimJson(DkimResult r) {
        var m = new LinkedHashMap<String, Object>();
        m.put("domain", r.domain());
        m.put("selector", r.selector());
        m.put("algorithm", r.algorithm());
        m.put("identity", r.identity());
        m.put("result", r.status().keyword());
        m.put("reason", r.reason().name().toLowerCase(java.util.Locale.ROOT));
        m.put("explanation", r.explanation());
        m.put("testing", r.testing());
        return m;
    }

    private static Map<String, Object> dmarcJson(DmarcOutcome d) {
        var m = new LinkedHashMap<String, Object>();
        m.put("result", d.result().word());
        m.put("policy", d.policy() == null ? null : d.policy().word());
        m.put("disposition", d.disposition().word());
        m.put("from_domain", d.fromDomain());
        m.put("policy_domain", d.policyDomain());
        m.put("organizational_domain", d.orgDomain());
        m.put("testing", d.testing());
        m.put("record", d.record().isEmpty() ? null : d.record());
        m.put("spf_aligned", d.spfAligned());
        m.put("dkim_aligned", d.dkimAligned());
        m.put("reason", d.reason());
        m.put("trace", d.trace());
        return m;
    }

    private static Map<String, Object> arcJson(ArcOutcome a) {
        var m = new LinkedHashMap<String, Object>();
        m.put("result", a.result().word());
        m.put("instances", a.instances());
        m.put("oldest_pass", a.oldestPass());
        m.put("sealers", new ArrayList<>(a.sealers()));
        m.put("reason", a.reason());
        m.put("trace", a.trace());
        return m;
    }
}
