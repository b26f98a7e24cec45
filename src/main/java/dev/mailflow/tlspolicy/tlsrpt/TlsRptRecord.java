package dev.mailflow.tlspolicy.tlsrpt;

import dev.mailflow.dns.DnsAnswer;
import dev.mailflow.dns.DnsResolver;
import dev.mailflow.dns.TxtRecord;
import dev.mailflow.smtp.AddressParser;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A TLS-RPT policy record, RFC 8460 section 3: the TXT record at {@code _smtp._tls.<domain>}
 * that asks senders for aggregate reports, e.g.
 * {@code v=TLSRPTv1; rua=mailto:tls@example.com,https://reports.example.com/tlsrpt}.
 *
 * <ul>
 * <li>{@code v=TLSRPTv1} first, then fields separated by {@code ;} with optional spaces or tabs
 *     around it ({@code field-delim}); a final {@code ;} is allowed. Field names are case
 *     sensitive, as the ABNF's {@code %s} strings are.
 * <li>{@code rua}: one or more URIs separated by commas. {@code mailto:} (RFC 6068, the
 *     address percent-decoded; ASCII addresses only) and {@code https:} are used; a URI of another scheme, or one
 *     that is not valid, is set aside with the reason ({@link #ignored()}); a record with no
 *     usable URI is invalid. RFC 8460 3 requires "!", "," and ";" inside a URI to be
 *     percent-encoded, so a raw "!" makes a URI invalid. Several {@code rua} fields add up.
 * <li>Any other field is an extension: its name and value must fit the ABNF
 *     ({@code tlsrpt-ext-name}, {@code tlsrpt-ext-value}) and it is then ignored.
 * <li>At one name, TXT records not beginning with {@code v=TLSRPTv1} are discarded; if not
 *     exactly one remains, the domain does not implement TLS-RPT ({@link #select}).
 * </ul>
 *
 * <p>SECURITY: the record is untrusted; parsing never throws on it, and reasons quote it only
 * shortened and printable.
 *
 * @param destinations the usable {@code rua} URIs, in the record's order (at least one)
 * @param ignored      the {@code rua} URIs set aside, each with why
 */
public record TlsRptRecord(List<ReportDestination> destinations, List<String> ignored) {

    /** The version field every record begins with. */
    public static final String VERSION = "v=TLSRPTv1";

    private static final Pattern EXT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,31}");
    private static final Pattern EXT_VALUE = Pattern.compile("[\\x21-\\x3A\\x3C\\x3E-\\x7E]+");

    public TlsRptRecord {
        destinations = List.copyOf(destinations);
        ignored = List.copyOf(ignored);
        if (destinations.isEmpty()) {
            throw new IllegalArgumentException("a TLS-RPT record has at least one destination");
        }
    }

    /** The outcome of parsing one record's text. */
    public sealed interface Parsed {
    }

    public record Valid(TlsRptRecord record) implements Parsed {
    }

    /** Why the text is not a usable record. */
    public record Invalid(String reason) implements Parsed {
    }

    /** The name the record is published at: {@code _smtp._tls.<domain>}. */
    public static String recordName(String domain) {
        String d = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
        return "_smtp._tls." + d;
    }

    /** Looks the domain's record up and applies {@link #select}; never throws. */
    public static TlsRptLookup lookup(DnsResolver dns, String domain) {
        String name = recordName(domain);
        return switch (dns.txt(name)) {
            case DnsAnswer.Found<TxtRecord> found -> select(name, found.records());
            case DnsAnswer.NotFound<TxtRecord> nf -> new TlsRptLookup.Absent(name + " " + nf.describe());
            case DnsAnswer.TempFail<TxtRecord> tf -> new TlsRptLookup.TempFail(tf.reason());
        };
    }

    /**
     * RFC 8460 3's rule for the TXT records at one name: those not beginning with
     * {@code v=TLSRPTv1} are discarded; none left is "absent", more than one is invalid, and
     * the one left must parse.
     *
     * @param name where the records were found, for the reasons
     */
    public static TlsRptLookup select(String name, List<TxtRecord> records) {
        var candidates = new ArrayList<String>();
        for (TxtRecord r : records) {
            String text = r.text();
            if (beginsWithVersion(text)) {
                candidates.add(text);
            }
        }
        if (candidates.isEmpty()) {
            return new TlsRptLookup.Absent(name + " has no TXT record beginning with " + VERSION);
        }
        if (candidates.size() > 1) {
            return new TlsRptLookup.Invalid(name + " has " + candidates.size() + " records beginning with " + VERSION
                    + "; RFC 8460 3 says a domain with more than one does not implement TLS-RPT");
        }
        String text = candidates.get(0);
        return switch (parse(text)) {
            case Valid v -> new TlsRptLookup.Found(v.record(), text);
            case Invalid i -> new TlsRptLookup.Invalid(name + ": " + i.reason());
        };
    }

    private static boolean beginsWithVersion(String text) {
        if (!text.startsWith(VERSION)) {
            return false;
        }
        int i = skipWsp(text, VERSION.length());
        return i == text.length() || text.charAt(i) == ';';
    }

    /** Parses one record's text (its TXT strings joined); never throws. */
    public static Parsed parse(String text) {
        Objects.requireNonNull(text);
        if (!text.startsWith(VERSION)) {
            return new Invalid("the record does not begin with " + VERSION + ": " + quote(text));
        }
        int i = skipWsp(text, VERSION.length());
        if (i == text.length()) {
            return new Invalid("the record has no rua field");
        }
        if (text.charAt(i) != ';') {
            return new Invalid("the version is not " + VERSION + ": " + quote(text));
        }
        String[] fields = text.substring(i + 1).split(";", -1);
        var destinations = new ArrayList<ReportDestination>();
        var ignored = new ArrayList<String>();
        boolean sawRua = false;
        for (int f = 0; f < fields.length; f++) {
            String field = stripWsp(fields[f]);
            if (field.isEmpty()) {
                if (f == fields.length - 1) {
                    break; // a final ";" is allowed
                }
                return new Invalid("the record has an empty field (\";;\"): " + quote(text));
            }
            int eq = field.indexOf('=');
            if (eq < 0) {
                return new Invalid("the field " + quote(field) + " is not name=value");
            }
            String name = field.substring(0, eq);
            String value = field.substring(eq + 1);
            if (!EXT_NAME.matcher(name).matches()) {
                return new Invalid("the field name " + quote(name) + " is not valid (RFC 8460 3: a letter or digit, "
                        + "then up to 31 letters, digits, \"_\", \"-\" or \".\")");
            }
            if (name.equals("rua")) {
                sawRua = true;
                String problem = readRua(value, destinations, ignored);
                if (problem != null) {
                    return new Invalid(problem);
                }
            } else if (name.equals("v")) {
                return new Invalid("the record has a second version field: " + quote(field));
            } else if (!EXT_VALUE.matcher(value).matches()) {
                return new Invalid("the field " + quote(name) + " has a value that RFC 8460 3 does not allow "
                        + "(visible characters other than \"=\" and \";\"): " + quote(value));
            }
            // any other valid field is an extension this implementation does not know: ignored (RFC 8460 3)
        }
        if (!sawRua) {
            return new Invalid("the record has no rua field");
        }
        if (destinations.isEmpty()) {
            return new Invalid("the rua field has no usable URI: " + String.join("; ", ignored));
        }
        return new Valid(new TlsRptRecord(destinations, ignored));
    }

    /** Reads one rua value into the lists; returns a reason when the field as a whole is malformed. */
    private static String readRua(String value, List<ReportDestination> destinations, List<String> ignored) {
        String[] uris = value.split(",", -1);
        for (String raw : uris) {
            String uri = stripWsp(raw);
            if (uri.isEmpty()) {
                return "the rua field has an empty URI (a stray comma): " + quote(value);
            }
            var destination = destination(uri, ignored);
            if (destination != null && !destinations.contains(destination)) {
                destinations.add(destination);
            }
        }
        return null;
    }

    private static ReportDestination destination(String text, List<String> ignored) {
        if (text.indexOf('!') >= 0) {
            ignored.add(quote(text) + ": a \"!\" must be percent-encoded (RFC 8460 3)");
            return null;
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            ignored.add(quote(text) + " is not a valid URI (" + e.getReason() + ")");
            return null;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "mailto" -> {
                String part = uri.getRawSchemeSpecificPart();
                int q = part.indexOf('?');
                String encoded = q < 0 ? part : part.substring(0, q);
                String address = percentDecode(encoded);
                if (address == null) {
                    ignored.add(quote(text) + ": the address has a malformed percent-encoding");
                    return null;
                }
                if (!address.chars().allMatch(c -> c < 128)) {
                    // A report to such an address would need SMTPUTF8 all the way (RFC 6531): not sent.
                    ignored.add(quote(text) + ": " + quote(address) + " is not an ASCII address, which this "
                            + "sender does not mail reports to");
                    return null;
                }
                if (address.isEmpty() || AddressParser.parseMailbox(address, false) == null) {
                    ignored.add(quote(text) + ": " + quote(address) + " is not an email address");
                    return null;
                }
                return new ReportDestination.Mailto(uri, address);
            }
            case "https" -> {
                if (uri.getHost() == null || uri.getHost().isEmpty()) {
                    ignored.add(quote(text) + " has no host name");
                    return null;
                }
                if (uri.getRawUserInfo() != null) {
                    ignored.add(quote(text) + " has user information before the host, which is not used");
                    return null;
                }
                return new ReportDestination.Https(uri);
            }
            case "" -> {
                ignored.add(quote(text) + " has no scheme (mailto: or https:)");
                return null;
            }
            default -> {
                ignored.add(quote(text) + ": the scheme " + scheme + ": is not mailto: or https:");
                return null;
            }
        }
    }

    /** RFC 3986 2.1 percent-decoding as UTF-8; null when a "%" is not followed by two hex digits. */
    static String percentDecode(String s) {
        var out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    return null;
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                out.write(hi * 16 + lo);
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        var decoder = StandardCharsets.UTF_8.newDecoder();
        try {
            return decoder.decode(java.nio.ByteBuffer.wrap(out.toByteArray())).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return null;
        }
    }

    private static int skipWsp(String s, int i) {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    private static String stripWsp(String s) {
        int start = skipWsp(s, 0);
        int end = s.length();
        while (end > start && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t')) {
            end--;
        }
        return s.substring(start, end);
    }

    /** A value quoted for a reason: printable, at most 100 characters. */
    static String quote(String s) {
        var sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            if (sb.length() > 100) {
                sb.append("...");
                break;
            }
            char c = s.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return sb.append('"').toString();
    }
}
