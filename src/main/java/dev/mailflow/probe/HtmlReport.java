package dev.mailflow.probe;

import java.time.ZonedDateTime;
import java.util.List;

/**
 * {@code mailflow probe --format html}: the whole report as one self-contained HTML file (its
 * style inline, no script, no image, nothing fetched) that a person can mail to a colleague:
 * the steps with what was sent and received and what it means, then every MX and address.
 * Every text from the server or the network is escaped.
 */
public final class HtmlReport {

    static final List<String> MATRIX_STEPS = List.of("CONNECT", "BANNER", "EHLO", "STARTTLS", "CERTIFICATE", "MAIL",
            "RCPT", "PTR", "DNSBL", "TLS");

    private static final String STYLE = """
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;margin:24px auto;\
            max-width:1100px;padding:0 16px}
            h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}.muted{color:#6b7688}
            .outcome{font-weight:700;font-size:15px;padding:8px 12px;border-radius:6px;background:#eef2f6}
            .outcome.PASSED{background:#e6f4ea;color:#1a7f37}.outcome.REFUSED,.outcome.UNREACHABLE,\
            .outcome.TLS_POLICY_FAILED{background:#fde8e8;color:#cf222e}
            .step{border:1px solid #dde3ea;border-left:5px solid #6b7688;border-radius:6px;margin:8px 0;padding:6px 12px}
            .step.PASS{border-left-color:#1a7f37}.step.FAIL{border-left-color:#cf222e}.step.WARN{border-left-color:#9a6700}
            .head{font-weight:600}.PASS .st,td.PASS{color:#1a7f37}.FAIL .st,td.FAIL{color:#cf222e}\
            .WARN .st,td.WARN{color:#9a6700}.SKIP .st,td.SKIP{color:#6b7688}
            pre{background:#0f1720;color:#d8e1ea;padding:8px 10px;border-radius:5px;white-space:pre-wrap;font-size:12.5px}
            ul{margin:4px 0 4px 18px;padding:0}.reasons{color:#cf222e}
            table{border-collapse:collapse;width:100%}th,td{border:1px solid #dde3ea;padding:4px 6px;text-align:left}
            th{background:#eef2f6}td small{color:#6b7688}li.fail{color:#cf222e}li.warn{color:#9a6700}
            """;

    private HtmlReport() {
    }

    /** The report as a whole HTML document. */
    public static String render(ProbeReport r, String version, ZonedDateTime when) {
        var h = new StringBuilder(16 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"" + Messages.language() + "\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(esc(Messages.text("html.title", r.target()))).append("</title>\n<style>\n")
                .append(STYLE).append("</style>\n</head>\n<body>\n");
        h.append("<h1>").append(esc(Messages.text("html.title", r.target()))).append("</h1>\n<p class=\"muted\">")
                .append(esc(Messages.text("html.subtitle", Messages.dateTime(when), version,
                        r.schemaVersion()))).append("</p>\n");
        h.append("<p class=\"outcome ").append(esc(r.outcome())).append("\">")
                .append(esc(Messages.text("report.result", r.outcome(), TextReport.outcomeWords(r))))
                .append(r.queueId() != null ? esc(Messages.text("report.queued", r.queueId())) : "").append("</p>\n");
        h.append("<h2>").append(esc(Messages.text("html.steps"))).append("</h2>\n");
        var seen = new java.util.HashMap<String, Integer>();
        for (ProbeStep s : r.steps()) {
            int n = seen.merge(s.name(), 1, Integer::sum);
            step(h, s, n == 1 ? s.name() : s.name() + "-" + n);
        }
        if (!r.mx().isEmpty()) {
            matrix(h, r.mx());
        }
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    private static void step(StringBuilder h, ProbeStep s, String id) {
        h.append("<div class=\"step ").append(esc(s.status())).append("\" id=\"step-").append(esc(id))
                .append("\">\n<div class=\"head\"><span class=\"st\">").append(esc(s.status())).append("</span> ")
                .append(esc(s.name())).append(" <span class=\"muted\">").append(esc(Messages.text("html.millis", s.millis())))
                .append("</span></div>\n");
        if (!s.exchange().isEmpty()) {
            h.append("<pre>").append(esc(String.join("\n", s.exchange()))).append("</pre>\n");
        }
        list(h, s.meaning(), null);
        list(h, s.reasons(), "reasons");
        h.append("</div>\n");
    }

    private static void matrix(StringBuilder h, List<MxMatrix.MxEntry> entries) {
        h.append("<h2>").append(esc(Messages.text("html.matrix"))).append("</h2>\n<table>\n<tr><th>")
                .append(esc(Messages.text("html.preference"))).append("</th><th>MX</th><th>")
                .append(esc(Messages.text("html.address"))).append("</th>");
        for (String n : MATRIX_STEPS) {
            h.append("<th>").append(n).append("</th>");
        }
        h.append("</tr>\n");
        var summaries = new StringBuilder();
        for (var mx : entries) {
            if (mx.addresses().isEmpty()) {
                h.append("<tr><td>").append(mx.preference()).append("</td><td>").append(esc(mx.host()))
                        .append("</td><td class=\"FAIL\" colspan=\"").append(MATRIX_STEPS.size() + 1).append("\">")
                        .append(esc(mx.problem() == null ? Messages.text("html.noAddress") : mx.problem()))
                        .append("</td></tr>\n");
            }
            for (var a : mx.addresses()) {
                h.append("<tr><td>").append(mx.preference()).append("</td><td>").append(esc(mx.host()))
                        .append("</td><td>").append(esc(a.address())).append("</td>");
                for (String n : MATRIX_STEPS) {
                    var cell = a.steps().stream().filter(c -> c.name().equals(n)).findFirst().orElse(null);
                    if (cell == null) {
                        h.append("<td class=\"SKIP\"></td>");
                        continue;
                    }
                    Object grade = n.equals("TLS") && cell.details() != null ? cell.details().get("grade") : null;
                    h.append("<td class=\"").append(esc(cell.status())).append("\" title=\"")
                            .append(esc(cell.detail() == null ? "" : cell.detail())).append("\">")
                            .append(esc(grade != null ? String.valueOf(grade) : cell.status()));
                    if (cell.millis() > 0) {
                        h.append(" <small>").append(esc(Messages.text("html.millis", cell.millis()))).append("</small>");
                    }
                    h.append("</td>");
                }
                h.append("</tr>\n");
                if (!a.summary().isEmpty()) {
                    summaries.append("<li class=\"").append(esc(a.result())).append("\"><b>").append(esc(a.address()))
                            .append(" (").append(esc(mx.host())).append("):</b> ")
                            .append(esc(Messages.joined(a.summary()))).append("</li>\n");
                }
            }
        }
        h.append("</table>\n");
        if (!summaries.isEmpty()) {
            h.append("<ul>\n").append(summaries).append("</ul>\n");
        }
    }

    private static void list(StringBuilder h, List<String> items, String cssClass) {
        if (items.isEmpty()) {
            return;
        }
        h.append(cssClass == null ? "<ul>" : "<ul class=\"" + cssClass + "\">");
        for (String i : items) {
            h.append("<li>").append(esc(i)).append("</li>");
        }
        h.append("</ul>\n");
    }

    /** HTML-escaped, with control characters (other than LF and tab) shown as U+FFFD. */
    static String esc(String s) {
        var b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(TextReport.unsafe(c) && c != '\n' && c != '\t' ? '\ufffd' : c);
            }
        }
        return b.toString();
    }
}
