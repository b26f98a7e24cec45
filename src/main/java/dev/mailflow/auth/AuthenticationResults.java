package dev.mailflow.auth;

import dev.mailflow.auth.arc.ArcOutcome;
import dev.mailflow.auth.arc.ArcResult;
import dev.mailflow.auth.dkim.DkimResult;
import dev.mailflow.auth.dmarc.DmarcOutcome;
import dev.mailflow.auth.spf.SpfOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The Authentication-Results header field (RFC 8601): rendering ours, and reading the
 * authserv-id of one that arrived, so that a forged one claiming our name can be removed
 * (section 5).
 *
 * <p>The grammar followed (RFC 8601 2.2): {@code authserv-id 1*( ";" method "=" result
 * [comment] *( ptype "." property "=" pvalue ) )}; each pvalue is an RFC 2045 token, an
 * address or domain name, or else a quoted-string ({@link #pvalue}); comments carry our
 * explanations. Properties used: spf smtp.mailfrom or smtp.helo (RFC 8601 2.7.2); dkim
 * header.d, header.s, header.a, header.b (2.7.1, RFC 6008); dmarc header.from (RFC 9989 9.1,
 * RFC 7489 11.2); arc smtp.remote-ip and header.oldest-pass (RFC 8617 10.1).
 */
public final class AuthenticationResults {

    public static final String FIELD_NAME = "Authentication-Results";

    /** The characters of an RFC 2045 token besides letters and digits: printable ASCII but SP and tspecials. */
    private static final String TOKEN_SPECIALS = "!#$%&'*+^_`{|}~.-";
    /** The characters of an RFC 5322 atom (3.2.3) besides letters and digits. */
    private static final String ATOM_SPECIALS = "!#$%&'*+/=?^_`{|}~-";

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
        out.add(arc(report.request(), report.arc()));
        return out;
    }

    /**
     * {@code arc=pass (2 sets, sealed by a.example, b.example) smtp.remote-ip=192.0.2.1
     * header.oldest-pass=1}: RFC 8617 10.1's properties, for a chain that has sets.
     */
    private static String arc(AuthRequest request, ArcOutcome arc) {
        var sb = new StringBuilder("arc=").append(arc.result().word());
        if (arc.instances() == 0) {
            return sb.toString();
        }
        sb.append(" (").append(comment(arc.instances() + " set" + (arc.instances() == 1 ? "" : "s")
                + (arc.sealers().isEmpty() ? "" : ", sealed by " + String.join(", ", arc.sealers()))
                + (arc.result() == ArcResult.PASS ? "" : ": " + arc.reason()))).append(")");
        sb.append(" smtp.remote-ip=").append(pvalue(request.ip().getHostAddress()));
        if (arc.result() == ArcResult.PASS) {
            sb.append(" header.oldest-pass=").append(arc.oldestPass());
        }
        return sb.toString();
    }

    private static String spf(AuthRequest request, SpfOutcome spf) {
        var sb = new StringBuilder("spf=").append(spf.result().word());
        // A DNS failure's reason names our own resolver: recipients get the fact, not the address.
        sb.append(" (").append(comment(spf.result() == dev.mailflow.auth.spf.SpfResult.TEMPERROR
                ? "a DNS lookup for the SPF check failed for now" : spf.reason())).append(")");
        if (request.heloIdentity()) {
            sb.append(" smtp.helo=").append(pvalue(request.helo() == null ? "" : request.helo()));
        } else {
            sb.append(" smtp.mailfrom=").append(pvalue(request.mailFrom()));
        }
        return sb.toString();
    }

    private static String dkim(DkimResult r) {
        var sb = new StringBuilder("dkim=").append(r.status().keyword());
        sb.append(" (").append(comment(r.status() == dev.mailflow.auth.dkim.DkimStatus.TEMPERROR
                ? "the key lookup failed for now" : r.explanation())).append(")");
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

    /**
     * A value as RFC 8601's pvalue: a token, an address or a domain name as it is, anything
     * else (a base64 header.b with '/' or '=', an IPv6 address with ':') as a quoted-string.
     */
    static String pvalue(String v) {
        if (isToken(v) || isAddress(v)) {
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

    /** An RFC 2045 token: one or more of letters, digits and {@link #TOKEN_SPECIALS}. */
    static boolean isToken(String v) {
        if (v.isEmpty()) {
            return false;
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (!isAsciiAlnum(c) && TOKEN_SPECIALS.indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * RFC 8601's {@code [ [ local-part ] "@" ] domain-name} with an "@": a local part that is
     * empty or a dot-atom (RFC 5322 3.4.1, atoms of letters, digits and
     * {@link #ATOM_SPECIALS}), then a domain of two or more labels of letters, digits and
     * hyphens, none starting or ending with a hyphen.
     */
    static boolean isAddress(String v) {
        int at = v.indexOf('@');
        if (at < 0) {
            return false;
        }
        for (int i = 0, atomStart = 0; i < at; i++) { // the local part: atoms between single dots
            char c = v.charAt(i);
            if (c == '.') {
                if (i == atomStart || i == at - 1) {
                    return false;
                }
                atomStart = i + 1;
            } else if (!isAsciiAlnum(c) && ATOM_SPECIALS.indexOf(c) < 0) {
                return false;
            }
        }
        int labels = 0;
        int labelStart = at + 1;
        for (int i = at + 1; i <= v.length(); i++) {
            char c = i < v.length() ? v.charAt(i) : '.';
            if (c == '.') {
                if (i == labelStart || v.charAt(labelStart) == '-' || v.charAt(i - 1) == '-') {
                    return false;
                }
                labels++;
                labelStart = i + 1;
            } else if (!isAsciiAlnum(c) && c != '-') {
                return false;
            }
        }
        return labels >= 2;
    }

    private static boolean isAsciiAlnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
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
