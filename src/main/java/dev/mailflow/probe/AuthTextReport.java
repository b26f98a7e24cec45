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
        out.println(printable(Messages.text("auth.title", request.ip().getHostAddress(), request.helo(),
                request.mailFrom())));
        out.println();
        var spf = r.spf();
        head(out, "SPF", spf.result().word(), Messages.text(request.heloIdentity() ? "auth.spf.helo" : "auth.spf.mailFrom",
                spf.domain().isEmpty() ? Messages.text("auth.none") : spf.domain()));
        line(out, "= " + spf.reason());
        line(out, "= " + Explanations.spf(spf.result()));
        spf.explanation().ifPresent(e -> line(out, Messages.text("auth.spf.exp", e)));
        if (!spf.record().isEmpty()) {
            line(out, Messages.text("auth.record", spf.record()));
        }
        if (!spf.mechanism().isEmpty()) {
            line(out, Messages.text("auth.spf.matched", spf.mechanism()));
        }
        line(out, Messages.text("auth.spf.dns", spf.dnsLookups(), spf.voidLookups()));
        trace(out, spf.trace());
        var report = r.report();
        if (report == null) {
            out.println();
            out.println(Messages.text("auth.noMessage"));
        } else {
            var dkim = report.dkim();
            if (dkim.signatures().isEmpty()) {
                head(out, "DKIM", "none", Messages.text("auth.dkim.unsigned"));
            }
            for (DkimResult s : dkim.signatures()) {
                head(out, "DKIM", s.status().keyword(), "d=" + s.domain() + " s=" + s.selector() + " a="
                        + s.algorithm());
                line(out, "= " + s.explanation());
                line(out, "= " + Explanations.dkim(s.status()));
                if (s.testing()) {
                    line(out, Messages.text("auth.dkim.testing"));
                }
            }
            if (dkim.notChecked() > 0) {
                line(out, Messages.text("auth.dkim.notChecked", dkim.notChecked()));
            }
            var arc = report.arc();
            head(out, "ARC", arc.result().word(), arc.instances() > 0 ? Messages.text("auth.arc.sets", arc.instances(),
                    String.join(", ", arc.sealers())) : "");
            line(out, "= " + arc.reason());
            line(out, "= " + Explanations.arc(arc.result()));
            trace(out, arc.trace());
            var dmarc = report.dmarc();
            head(out, "DMARC", dmarc.result().word(), dmarc.fromDomain() == null ? ""
                    : Messages.text("auth.dmarc.from", dmarc.fromDomain()));
            line(out, "= " + dmarc.reason());
            line(out, "= " + Explanations.dmarc(dmarc.result()));
            if (dmarc.policy() != null) {
                String policy = dmarc.testing() ? Messages.text("auth.dmarc.policy.testing", dmarc.policy().word())
                        : "p=" + dmarc.policy().word();
                line(out, dmarc.policyDomain() != null ? Messages.text("auth.dmarc.policy.at", policy,
                        dmarc.disposition().word(), dmarc.policyDomain())
                        : Messages.text("auth.dmarc.policy", policy, dmarc.disposition().word()));
            }
            if (!dmarc.record().isEmpty()) {
                line(out, Messages.text("auth.record", dmarc.record()));
            }
            if (dmarc.fromDomain() != null) {
                line(out, Messages.text("auth.dmarc.aligned", Messages.text(dmarc.spfAligned() ? "word.yes" : "word.no"),
                        Messages.text(dmarc.dkimAligned() ? "word.yes" : "word.no")));
            }
            trace(out, dmarc.trace());
        }
        out.println();
        out.println(Messages.text("auth.header", r.authservId()));
        out.print(r.authenticationResults().replace("\r\n", System.lineSeparator()));
        out.println();
        out.println(Messages.text(r.passed() ? "auth.result.passed" : "auth.result.failed"));
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
            line(out, Messages.text("auth.trace"));
            for (String t : trace) {
                line(out, "  " + t);
            }
        }
    }
}
