package dev.mailflow.probe;

import dev.mailflow.auth.dkim.DkimResult;
import java.io.PrintWriter;
import java.util.List;

/** {@code mailflow auth} for a person: each result, what it means, its reasons and trace, then the header field. */
public final class AuthTextReport {

    private static final String INDENT = "         ";

    private AuthTextReport() {
    }

    public static void print(PrintWriter out, AuthCheck.Result r) {
        var request = r.request();
        out.println(printable("Mailflow auth: client " + request.ip().getHostAddress() + ", HELO " + request.helo()
                + ", MAIL FROM <" + request.mailFrom() + ">"));
        out.println();
        var spf = r.spf();
        head(out, "SPF", spf.result().word(), (request.heloIdentity() ? "HELO identity" : "MAIL FROM identity")
                + ", domain " + (spf.domain().isEmpty() ? "(none)" : spf.domain()));
        line(out, "= " + spf.reason());
        line(out, "= " + Explanations.spf(spf.result()));
        spf.explanation().ifPresent(e -> line(out, "the domain's explanation (exp=): " + e));
        if (!spf.record().isEmpty()) {
            line(out, "record:  " + spf.record());
        }
        if (!spf.mechanism().isEmpty()) {
            line(out, "matched: " + spf.mechanism());
        }
        line(out, "DNS:     " + spf.dnsLookups() + " of 10 lookup terms, " + spf.voidLookups() + " of 2 void lookups "
                + "(RFC 7208 4.6.4)");
        trace(out, spf.trace());
        var report = r.report();
        if (report == null) {
            out.println();
            out.println("(no --message: DKIM, ARC and DMARC need the message)");
        } else {
            var dkim = report.dkim();
            if (dkim.signatures().isEmpty()) {
                head(out, "DKIM", "none", "the message has no DKIM-Signature");
            }
            for (DkimResult s : dkim.signatures()) {
                head(out, "DKIM", s.status().keyword(), "d=" + s.domain() + " s=" + s.selector() + " a="
                        + s.algorithm());
                line(out, "= " + s.explanation());
                line(out, "= " + Explanations.dkim(s.status()));
                if (s.testing()) {
                    line(out, "the key says t=y: the domain is testing DKIM; a failure counts as unsigned mail");
                }
            }
            if (dkim.notChecked() > 0) {
                line(out, dkim.notChecked() + " more signature(s) not checked (the limit of signatures per message)");
            }
            var arc = report.arc();
            head(out, "ARC", arc.result().word(), arc.instances() > 0 ? arc.instances() + " ARC set(s), sealed by "
                    + String.join(", ", arc.sealers()) : "");
            line(out, "= " + arc.reason());
            line(out, "= " + Explanations.arc(arc.result()));
            trace(out, arc.trace());
            var dmarc = report.dmarc();
            head(out, "DMARC", dmarc.result().word(), dmarc.fromDomain() == null ? "" : "From domain "
                    + dmarc.fromDomain());
            line(out, "= " + dmarc.reason());
            line(out, "= " + Explanations.dmarc(dmarc.result()));
            if (dmarc.policy() != null) {
                line(out, "policy:  p=" + dmarc.policy().word() + (dmarc.testing() ? " t=y (testing)" : "")
                        + ", so a receiver would apply: " + dmarc.disposition().word()
                        + (dmarc.policyDomain() != null ? " (record at _dmarc." + dmarc.policyDomain() + ")" : ""));
            }
            if (!dmarc.record().isEmpty()) {
                line(out, "record:  " + dmarc.record());
            }
            if (dmarc.fromDomain() != null) {
                line(out, "aligned: SPF " + (dmarc.spfAligned() ? "yes" : "no") + ", DKIM "
                        + (dmarc.dkimAligned() ? "yes" : "no"));
            }
            trace(out, dmarc.trace());
        }
        out.println();
        out.println("Authentication-Results as " + r.authservId() + " would add it:");
        out.print(r.authenticationResults().replace("\r\n", System.lineSeparator()));
        out.println();
        out.println("Result: " + (r.passed() ? "PASSED: every check that ran passed"
                : "FAILED: a check did not pass"));
        out.flush();
    }

    private static void head(PrintWriter out, String check, String result, String what) {
        out.printf("%-6s %-10s %s%n", check, result, printable(what));
    }

    private static void line(PrintWriter out, String text) {
        out.println(INDENT + printable(text));
    }

    /**
     * SECURITY: records, names and reasons come from DNS and from the message; a control
     * character (an ANSI escape, a carriage return) is shown as \xNN, never sent to the terminal.
     */
    static String printable(String text) {
        if (text == null) {
            return "null";
        }
        var sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static void trace(PrintWriter out, List<String> trace) {
        if (!trace.isEmpty()) {
            line(out, "trace:");
            for (String t : trace) {
                line(out, "  " + t);
            }
        }
    }
}
