package dev.mailflow.tlspolicy.mtasts;

import dev.mailflow.dns.TxtRecord;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code _mta-sts.<domain>} TXT record (RFC 8461 3.1): {@code v=STSv1; id=20160831085700Z;}.
 * Only its {@code id} matters: a new id tells senders to fetch the policy again.
 *
 * <p>Records that do not begin with {@code v=STSv1} are discarded; if not exactly one is left,
 * or it is not of the grammar, the domain has no usable record (3.1), and the caller delivers
 * as without MTA-STS unless it holds a cached policy (5.1). Extension fields are allowed and
 * ignored. The strings of one record are joined without spaces. Field names and the version
 * are case-sensitive ({@code %s} in the ABNF).
 *
 * @param id the policy id: 1 to 32 letters and digits
 */
public record MtaStsRecord(String id) {

    private static final Pattern DELIM = Pattern.compile("[ \\t]*;[ \\t]*");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9]{1,32}");
    private static final Pattern EXT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,31}");
    private static final Pattern EXT_VALUE = Pattern.compile("[\\x21-\\x3a\\x3c\\x3e-\\x7e]+");

    /** What looking at the TXT records gave. */
    public sealed interface Result permits Found, Absent {
    }

    public record Found(MtaStsRecord record) implements Result {
    }

    /** No usable record; {@code why} in words ("no TXT record begins with v=STSv1", "2 records ..."). */
    public record Absent(String why) implements Result {
    }

    /** Picks and parses the MTA-STS record among the TXT records at {@code _mta-sts.<domain>}. */
    public static Result select(List<TxtRecord> records) {
        var sts = records.stream().map(TxtRecord::text).filter(t -> t.startsWith("v=STSv1")).toList();
        if (sts.isEmpty()) {
            return new Absent("no TXT record begins with v=STSv1");
        }
        if (sts.size() > 1) {
            return new Absent(sts.size() + " TXT records begin with v=STSv1 (RFC 8461 3.1 allows one)");
        }
        return parse(sts.get(0));
    }

    /** Parses one record's text. */
    public static Result parse(String text) {
        String[] fields = DELIM.split(text, -1);
        if (!fields[0].equals("v=STSv1")) {
            return new Absent("the record does not begin with v=STSv1;");
        }
        if (fields.length < 2) {
            return new Absent("the record has no id field");
        }
        String id = null;
        for (int i = 1; i < fields.length; i++) {
            String field = fields[i];
            if (field.isEmpty() && i == fields.length - 1) {
                break; // the optional final delimiter
            }
            int eq = field.indexOf('=');
            if (eq < 0) {
                return new Absent("\"" + field + "\" is not a name=value field");
            }
            String name = field.substring(0, eq);
            String value = field.substring(eq + 1);
            if (name.equals("id")) {
                if (!ID.matcher(value).matches()) {
                    return new Absent("id \"" + value + "\" is not 1 to 32 letters and digits");
                }
                if (id != null) {
                    return new Absent("the record has two id fields");
                }
                id = value;
            } else if (!EXT_NAME.matcher(name).matches() || !EXT_VALUE.matcher(value).matches()) {
                return new Absent("\"" + field + "\" is not a valid field");
            }
        }
        if (id == null) {
            return new Absent("the record has no id field");
        }
        return new Found(new MtaStsRecord(id));
    }

    /** The record as a domain publishes it: {@code v=STSv1; id=<id>}. */
    public String text() {
        return "v=STSv1; id=" + id;
    }
}
