package dev.mailflow.auth;

import dev.mailflow.auth.dkim.DkimResult;
import dev.mailflow.auth.dmarc.DmarcOutcome;
import dev.mailflow.auth.spf.SpfOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The Authentication-Results header field (RFC 8601): rendering ours, and reading the
 * authserv-id of one that arrived, so that a forged one claiming our name can be removed
 * (section 5).
 */
public final class AuthenticationResults {

    public static final String FIELD_NAME = "Authentication-Results";

    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~.@-]+");

    private AuthenticationResults() {
    }

    /** The whole field, name included, folded one result per line, ending in CRLF. */
    public static String field(String authservId, AuthReport report) {
        return FIELD_NAME + ": " + value(authservId, report) + "\r\n";
    }

    /** The field's value (after "Authentication-Results: "), folded with CRLF TAB. */
    public static String value(String authservId, AuthReport report) {
        return authservId + ";\r\n\t" + String.join(";\r\n\t", results(report));
    }

    /** The resinfo parts: {@code spf=pass smtp.mailfrom=...}, one per DKIM signature, DMARC, ARC. */
    public static List<String> results(AuthReport report) {
        var out = new ArrayList<String>();
        out.add(spf(report.request(), report.spf()));
        if (report.dkim().signatures().isEmpty()) {
            out.add("dkim=none");
        } else {
            for (DkimResult r : report.dkim().signatures()) {
                out.add(dkim(r));
            }
        }
        out.add(dmarc(report.dmarc()));
        out.add("arc=" + report.arc().result().word()
                + (report.arc().instances() > 0 ? " (i=" + report.arc().instances() + ")" : ""));
        return out;
    }

    private static String spf(AuthRequest request, SpfOutcome spf) {
        var sb = new StringBuilder("spf=").append(spf.result().word());
        sb.append(" (").append(comment(spf.reason())).append(")");
        if (request.heloIdentity()) {
            sb.append(" smtp.helo=").append(pvalue(request.helo() == null ? "" : request.helo()));
        } else {
            sb.append(" smtp.mailfrom=").append(pvalue(request.mailFrom()));
        }
        return sb.toString();
    }

    private static String dkim(DkimResult r) {
        var sb = new StringBuilder("dkim=").append(r.status().keyword());
        sb.append(" (").append(comment(r.explanation())).append(")");
        if (r.domain() != null) {
            sb.append(" header.d=").append(pvalue(r.domain()));
        }
        if (r.selector() != null) {
            sb.append(" header.s=").append(pvalue(r.selector()));
        }
        if (r.algorithm() != null) {
            sb.append(" header.a=").append(pvalue(r.algorithm()));
        }
        if (r.signatureStart() != null) {
            sb.append(" header.b=").append(pvalue(r.signatureStart()));
        }
        return sb.toString();
    }

    private static String dmarc(DmarcOutcome d) {
        var sb = new StringBuilder("dmarc=").append(d.result().word());
        if (d.policy() != null) {
            sb.append(" (p=").append(d.policy().word()).append(" dis=").append(d.disposition().word())
                    .append(d.testing() ? " t=y" : "").append(")");
        } else {
            sb.append(" (").append(comment(d.reason())).append(")");
        }
        if (d.fromDomain() != null) {
            sb.append(" header.from=").append(pvalue(d.fromDomain()));
        }
        return sb.toString();
    }

    /** A value as RFC 8601's pvalue: a token as it is, anything else as a quoted-string. */
    static String pvalue(String v) {
        if (TOKEN.matcher(v).matches()) {
            return v;
        }
        var sb = new StringBuilder("\"");
        for (char c : v.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c < 0x20 || c == 0x7f ? ' ' : c);
        }
        return sb.append('"').toString();
    }

    /** Text for inside a comment: no control characters, parentheses and backslashes escaped, bounded. */
    static String comment(String text) {
        String t = text == null ? "" : text;
        if (t.length() > 200) {
            t = t.substring(0, 197) + "...";
        }
        var sb = new StringBuilder();
        for (char c : t.toCharArray()) {
            if (c == '(' || c == ')' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c < 0x20 || c == 0x7f ? ' ' : c);
        }
        return sb.toString();
    }

    /**
     * The authserv-id of a received field's value (what precedes the first ';', RFC 8601 2.2),
     * lower case, comments and white space skipped; null when the value has none.
     */
    public static String authservId(String value) {
        int i = skipCfws(value, 0);
        int start = i;
        while (i < value.length() && !Character.isWhitespace(value.charAt(i)) && value.charAt(i) != ';'
                && value.charAt(i) != '(') {
            i++;
        }
        if (i == start) {
            return null;
        }
        String id = value.substring(start, i);
        if (id.length() > 1 && id.startsWith("\"") && id.endsWith("\"")) {
            id = id.substring(1, id.length() - 1);
        }
        return id.toLowerCase(Locale.ROOT);
    }

    private static int skipCfws(String s, int i) {
        int depth = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (depth > 0) {
                if (c == '\\') {
                    i++;
                } else if (c == '(') {
                    depth++;
                } else if (c == ')') {
                    depth--;
                }
            } else if (c == '(') {
                depth++;
            } else if (!Character.isWhitespace(c)) {
                break;
            }
            i++;
        }
        return i;
    }
}
