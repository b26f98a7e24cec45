package dev.mailflow.smtp;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Parses the ESMTP parameters after a MAIL or RCPT path (RFC 5321 4.1.2
 * {@code esmtp-param = esmtp-keyword ["=" esmtp-value]}). Keywords and the values of
 * enumerated parameters are case-insensitive, as people type {@code notify=success}.
 * Unknown keywords get 555 5.5.4 (RFC 5321 4.1.1.11), malformed values 501 5.5.4.
 */
public final class EsmtpParameters {

    /** RFC 3461 4.4: ENVID is at most 100 characters. */
    static final int MAX_ENVID = 100;
    /** RFC 1870: SIZE is at most 20 digits. */
    static final int MAX_SIZE_DIGITS = 20;

    private EsmtpParameters() {
    }

    /** The outcome of parsing: a value, or the reply that refuses it. */
    public record Result<T>(T value, Reply error) {
        static <T> Result<T> ok(T value) {
            return new Result<>(value, null);
        }

        static <T> Result<T> fail(Reply error) {
            return new Result<>(null, error);
        }

        public boolean ok() {
            return error == null;
        }
    }

    public static Result<MailParameters> parseMail(String text) {
        Long size = null;
        BodyType body = null;
        boolean smtpUtf8 = false;
        DsnReturn ret = null;
        String envId = null;
        String auth = null;
        var params = keywords(text);
        if (!params.ok()) {
            return Result.fail(params.error());
        }
        for (Param param : params.value()) {
            String value = param.value();
            switch (param.key()) {
                case "SIZE" -> {
                    if (value == null || value.isEmpty() || value.length() > MAX_SIZE_DIGITS || !digits(value)) {
                        return Result.fail(Reply.INVALID_PARAMETER_VALUE);
                    }
                    size = value.length() > 18 ? Long.MAX_VALUE : Long.parseLong(value);
                }
                case "BODY" -> {
                    body = value == null ? null : BodyType.fromKeyword(value);
                    if (body == null) {
                        return Result.fail(Reply.INVALID_PARAMETER_VALUE);
                    }
                }
                case "SMTPUTF8" -> {
                    if (value != null) {
                        return Result.fail(Reply.INVALID_PARAMETER_VALUE);
                    }
                    smtpUtf8 = true;
                }
                case "RET" -> {
                    ret = value == null ? null : switch (value.toUpperCase(Locale.ROOT)) {
                        case "FULL" -> DsnReturn.FULL;
                        case "HDRS" -> DsnReturn.HDRS;
                        default -> null;
                    };
                    if (ret == null) {
                        return Result.fail(Reply.INVALID_PARAMETER_VALUE);
                    }
                }
                case "ENVID" -> {
                    if (value == null || value.isEmpty() || value.length() > MAX_ENVID || !Xtext.isValid(value)) {
                        return Result.fail(Reply.INVALID_PARAMETER_VALUE);
                    }
                    envId = value;
                }
                case "AUTH" -> {
                    if (value == null || value.isEmpty() || !(value.equals("<>") || Xtext.isValid(value))) {
                        return Result.fail(Reply.INVALID_PARAMETER_VALUE);
                    }
                    auth = value;
                }
                default -> {
                    return Result.fail(Reply.UNKNOWN_PARAMETER);
                }
            }
        }
        return Result.ok(new MailParameters(size, body, smtpUtf8, ret, envId, auth));
    }

    public static Result<RcptParameters> parseRcpt(String text) {
        EnumSet<DsnNotify> notify = null;
        String orcpt = null;
        var params = keywords(text);
        if (!params.ok()) {
            return Result.fail(params.error());
        }
        for (Param param : params.value()) {
            String value = param.value();
            switch (param.key()) {
                case "NOTIFY" -> {
                    notify = parseNotify(value);
                    if (notify == null) {
                        return Result.fail(Reply.INVALID_PARAMETER_VALUE);
                    }
                }
                case "ORCPT" -> {
                    if (!isValidOrcpt(value)) {
                        return Result.fail(Reply.INVALID_PARAMETER_VALUE);
                    }
                    orcpt = value;
                }
                default -> {
                    return Result.fail(Reply.UNKNOWN_PARAMETER);
                }
            }
        }
        return Result.ok(new RcptParameters(notify, orcpt));
    }

    /** {@code NOTIFY=NEVER} or a comma list of SUCCESS, FAILURE, DELAY (RFC 3461 4.1). */
    static EnumSet<DsnNotify> parseNotify(String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        var set = EnumSet.noneOf(DsnNotify.class);
        for (String item : value.split(",", -1)) {
            DsnNotify n;
            try {
                n = DsnNotify.valueOf(item.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return null;
            }
            set.add(n);
        }
        if (set.contains(DsnNotify.NEVER) && set.size() > 1) {
            return null;
        }
        return set;
    }

    /** {@code orcpt-parameter = "ORCPT=" addr-type ";" xtext} (RFC 3461 4.2). */
    static boolean isValidOrcpt(String value) {
        if (value == null) {
            return false;
        }
        int semi = value.indexOf(';');
        if (semi <= 0 || semi == value.length() - 1 || value.length() > 500) {
            return false;
        }
        String type = value.substring(0, semi);
        for (int i = 0; i < type.length(); i++) {
            if (!AddressParser.isAtext(type.charAt(i), false)) {
                return false;
            }
        }
        String addr = value.substring(semi + 1);
        // utf-8-addr-xtext / utf-8-addr-unitext (RFC 6533) may carry UTF-8; accept printable text.
        if (type.equalsIgnoreCase("utf-8")) {
            return addr.codePoints().noneMatch(c -> c < 33 || c == 127);
        }
        return Xtext.isValid(addr);
    }

    /** One {@code esmtp-param}: the keyword in upper case, and the value or null. */
    private record Param(String key, String value) {
    }

    /** Parameters whose values are keywords, compared without case when repeated. */
    private static final Set<String> KEYWORD_VALUED = Set.of("BODY", "RET", "NOTIFY");

    /**
     * Splits the parameters and checks what every parameter shares: a well-formed keyword
     * (501 5.5.4 otherwise). A keyword given again with the same value is taken once, as
     * Postfix does: Python's smtplib adds {@code SMTPUTF8} itself to a UTF-8 message, so a
     * caller's own {@code SMTPUTF8} arrives twice. A keyword given again with another value
     * is refused (501 5.5.4). The values are checked by the command's own parser.
     */
    private static Result<List<Param>> keywords(String text) {
        String t = text.strip();
        if (t.isEmpty()) {
            return Result.ok(List.of());
        }
        var params = new ArrayList<Param>();
        var seen = new HashMap<String, Param>();
        for (String token : t.split(" +")) {
            int eq = token.indexOf('=');
            String key = (eq < 0 ? token : token.substring(0, eq)).toUpperCase(Locale.ROOT);
            if (!isKeyword(key)) {
                return Result.fail(Reply.SYNTAX_ERROR);
            }
            var param = new Param(key, eq < 0 ? null : token.substring(eq + 1));
            var earlier = seen.putIfAbsent(key, param);
            if (earlier != null) {
                if (!sameValue(key, earlier.value(), param.value())) {
                    return Result.fail(Reply.DUPLICATE_PARAMETER);
                }
                continue;
            }
            params.add(param);
        }
        return Result.ok(params);
    }

    private static boolean sameValue(String key, String a, String b) {
        if (a == null || b == null) {
            return a == b;
        }
        return KEYWORD_VALUED.contains(key) ? a.equalsIgnoreCase(b) : a.equals(b);
    }

    private static boolean isKeyword(String key) {
        if (key.isEmpty() || !Domains.isAsciiLetterOrDigit(key.charAt(0))) {
            return false;
        }
        for (int i = 1; i < key.length(); i++) {
            char c = key.charAt(i);
            if (!Domains.isAsciiLetterOrDigit(c) && c != '-') {
                return false;
            }
        }
        return true;
    }

    private static boolean digits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
