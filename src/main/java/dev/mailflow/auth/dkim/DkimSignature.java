package dev.mailflow.auth.dkim;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * A DKIM-Signature header field, RFC 6376 section 3.5, parsed and checked tag by tag:
 * v=1; a=; b=; bh=; c= (default simple/simple); d=; h= (must hold From); i= (default
 * {@code @d}, dkim-quoted-printable, in d= or a subdomain); l=; q= (dns/txt); s=; t=; x= (after
 * t=). Unknown tags are ignored, as 3.2 says.
 *
 * <p>The first tags read are the ones a report shows (d=, s=, a=), so a signature refused for
 * a later tag still says whose it was.
 *
 * <p>SECURITY: the field is untrusted; every problem is a {@link Refusal}.
 */
final class DkimSignature {

    /**
     * Which kind of signature field: DKIM-Signature (RFC 6376 3.5), or one of ARC's two
     * (RFC 8617 4.1.2 ARC-Message-Signature: DKIM's tags with i= the instance and no v=;
     * 4.1.3 ARC-Seal: i=, cv=, a=, b=, d=, s=, t=, no h=, no bh=).
     */
    enum Kind {
        DKIM, ARC_MESSAGE, ARC_SEAL
    }

    /** What a report names even for a signature that did not parse: d=, s=, a=, b= as written. */
    record Names(String domain, String selector, String algorithm, String signatureStart) {
        static final Names UNKNOWN = new Names(null, null, null, null);
    }

    final HeaderField field;
    final TagList tags;
    final DkimAlgorithm algorithm;
    final Canonicalization headerCanonicalization;
    final Canonicalization bodyCanonicalization;
    final String domain;
    final String selector;
    final List<String> signedHeaders;
    final byte[] bodyHash;
    final byte[] signature;
    final String identity;
    final OptionalLong length;
    final OptionalLong timestamp;
    final OptionalLong expiry;
    /** i= of an ARC field (1 to 50); 0 for DKIM. */
    final int instance;

    private DkimSignature(HeaderField field, TagList tags, DkimAlgorithm algorithm, Canonicalization headerCanon,
            Canonicalization bodyCanon, String domain, String selector, List<String> signedHeaders, byte[] bodyHash,
            byte[] signature, String identity, OptionalLong length, OptionalLong timestamp, OptionalLong expiry, int instance) {
        this.field = field;
        this.tags = tags;
        this.algorithm = algorithm;
        this.headerCanonicalization = headerCanon;
        this.bodyCanonicalization = bodyCanon;
        this.domain = domain;
        this.selector = selector;
        this.signedHeaders = signedHeaders;
        this.bodyHash = bodyHash;
        this.signature = signature;
        this.identity = identity;
        this.length = length;
        this.timestamp = timestamp;
        this.expiry = expiry;
        this.instance = instance;
    }

    /** d=, s=, a= and the start of b= as far as the tag list parses; never fails. */
    static Names names(HeaderField field) {
        try {
            return names(TagList.parse(field.value()));
        } catch (TagList.Invalid e) {
            return Names.UNKNOWN;
        }
    }

    /** d=, s=, a= and the start of b= of a tag list that parsed. */
    static Names names(TagList t) {
        return new Names(t.get("d").map(v -> TagList.display(v, 255)).orElse(null),
                t.get("s").map(v -> TagList.display(v, 255)).orElse(null),
                t.get("a").map(TagList::shorten).orElse(null),
                t.get("b").map(DkimSignature::start).orElse(null));
    }

    /**
     * RFC 6008 section 4: header.b is at least the first 8 characters of b= (without its
     * FWS); we give 12.
     */
    private static String start(String b) {
        var sb = new StringBuilder(12);
        for (int i = 0; i < b.length() && sb.length() < 12; i++) {
            char c = b.charAt(i);
            if (!TagList.isFws(c)) {
                sb.append(c);
            }
        }
        return TagList.shorten(sb.toString());
    }

    static DkimSignature parse(HeaderField field, boolean historic) throws Refusal {
        return parse(field, historic, Kind.DKIM);
    }

    static DkimSignature parse(HeaderField field, boolean historic, Kind kind) throws Refusal {
        TagList t;
        try {
            t = TagList.parse(field.value());
        } catch (TagList.Invalid e) {
            throw syntaxError(e);
        }
        return parse(field, t, historic, kind);
    }

    /** The refusal of a field whose tag list does not parse (3.2). */
    static Refusal syntaxError(TagList.Invalid e) {
        return new Refusal(DkimReason.SYNTAX_ERROR, e.tag().isEmpty() ? "list" : TagList.shorten(e.tag()),
                e.getMessage());
    }

    /** {@link #parse(HeaderField, boolean, Kind)} of a field whose tag list {@code t} was parsed already. */
    static DkimSignature parse(HeaderField field, TagList t, boolean historic, Kind kind) throws Refusal {
        int instance = 0;
        if (kind == Kind.DKIM) {
            var v = t.get("v");
            if (v.isEmpty() && !historic) {
                throw new Refusal(DkimReason.MISSING_TAG, "v");
            }
            if (v.isPresent() && !v.get().equals("1") && !(historic && v.get().equals("0.5"))) {
                throw new Refusal(DkimReason.UNSUPPORTED_VERSION, TagList.shorten(v.get()));
            }
        } else {
            instance = arcInstance(t);
        }
        List<String> requiredTags = kind == Kind.ARC_SEAL ? List.of("a", "b", "cv", "d", "s")
                : List.of("a", "b", "bh", "d", "h", "s");
        for (String required : requiredTags) {
            if (!t.has(required)) {
                throw new Refusal(DkimReason.MISSING_TAG, required);
            }
        }
        String a = t.get("a").orElseThrow();
        DkimAlgorithm algorithm = DkimAlgorithm.fromTag(a)
                .orElseThrow(() -> new Refusal(DkimReason.UNSUPPORTED_ALGORITHM, TagList.shorten(a)));
        if (kind == Kind.ARC_SEAL && t.has("h")) {
            throw new Refusal(DkimReason.SYNTAX_ERROR, "h", "an ARC-Seal has no h= (RFC 8617 4.1.3)");
        }
        String c = kind == Kind.ARC_SEAL ? "relaxed/relaxed" : t.get("c").orElse("simple/simple");
        String[] cs = c.split("/", -1);
        if (cs.length > 2) {
            throw new Refusal(DkimReason.UNSUPPORTED_CANONICALIZATION, TagList.shorten(c));
        }
        Canonicalization hc = Canonicalization.fromTag(cs[0])
                .orElseThrow(() -> new Refusal(DkimReason.UNSUPPORTED_CANONICALIZATION, TagList.shorten(c)));
        Canonicalization bc = cs.length == 1 ? Canonicalization.SIMPLE : Canonicalization.fromTag(cs[1])
                .orElseThrow(() -> new Refusal(DkimReason.UNSUPPORTED_CANONICALIZATION, TagList.shorten(c)));
        var q = t.get("q");
        if (q.isPresent()) {
            List<String> methods = List.of(TagList.stripFws(q.get()).toLowerCase(Locale.ROOT).split(":"));
            if (!methods.contains("dns/txt") && !(historic && methods.contains("dns"))) {
                throw new Refusal(DkimReason.UNSUPPORTED_QUERY_METHOD, TagList.shorten(q.get()));
            }
        }
        String d = t.get("d").orElseThrow();
        if (!validDomain(d)) {
            throw new Refusal(DkimReason.SYNTAX_ERROR, "d", "\"" + TagList.shorten(d) + "\" is not a domain name");
        }
        String s = t.get("s").orElseThrow();
        if (!validDomain(s)) {
            throw new Refusal(DkimReason.SYNTAX_ERROR, "s", "\"" + TagList.shorten(s) + "\" is not a selector");
        }
        List<String> h = new ArrayList<>();
        for (String name : kind == Kind.ARC_SEAL ? new String[0] : t.get("h").orElseThrow().split(":", -1)) {
            String n = TagList.trimFws(name);
            if (n.isEmpty()) {
                throw new Refusal(DkimReason.SYNTAX_ERROR, "h", "an empty header field name");
            }
            h.add(n);
        }
        if (kind != Kind.ARC_SEAL && h.stream().noneMatch(n -> n.equalsIgnoreCase("from"))) {
            throw new Refusal(DkimReason.FROM_NOT_SIGNED);
        }
        if (kind == Kind.ARC_MESSAGE && h.stream().anyMatch(n -> n.equalsIgnoreCase("arc-seal"))) {
            throw new Refusal(DkimReason.SYNTAX_ERROR, "h", "an ARC-Message-Signature must not sign ARC-Seal (RFC 8617 4.1.2)");
        }
        if (kind != Kind.DKIM && t.has("l")) {
            throw new Refusal(DkimReason.SYNTAX_ERROR, "l", "ARC signs the whole body; l= is not used (RFC 8617 4.1.2)");
        }
        byte[] bh = kind == Kind.ARC_SEAL ? new byte[0] : base64(t, "bh");
        byte[] b = base64(t, "b");
        String identity = "@" + d;
        if (kind == Kind.DKIM && t.has("i")) {
            identity = quotedPrintable(t.get("i").orElseThrow());
            int at = identity.lastIndexOf('@');
            if (at < 0) {
                throw new Refusal(DkimReason.SYNTAX_ERROR, "i", "\"" + TagList.shorten(identity) + "\" has no @");
            }
            if (!inDomain(identity.substring(at + 1), d)) {
                throw new Refusal(DkimReason.IDENTITY_OUTSIDE_DOMAIN, TagList.shorten(identity), TagList.shorten(d));
            }
        }
        OptionalLong l = number(t, "l", 76);
        OptionalLong ts = number(t, "t", 12);
        OptionalLong x = number(t, "x", 12);
        if (x.isPresent() && ts.isPresent() && x.getAsLong() < ts.getAsLong()) {
            throw new Refusal(DkimReason.SYNTAX_ERROR, "x", "the expiry x= comes before the timestamp t=");
        }
        return new DkimSignature(field, t, algorithm, hc, bc, d, s, List.copyOf(h), bh, b, identity, l, ts, x,
                instance);
    }

    /** The i= of an ARC field: 1 to 50 (RFC 8617 4.2.1). */
    private static int arcInstance(TagList t) throws Refusal {
        String i = t.get("i").orElseThrow(() -> new Refusal(DkimReason.MISSING_TAG, "i"));
        if (!i.matches("[0-9]{1,2}") || Integer.parseInt(i) < 1 || Integer.parseInt(i) > 50) {
            throw new Refusal(DkimReason.SYNTAX_ERROR, "i", "\"" + TagList.shorten(i) + "\" is not an ARC instance (1 to 50)");
        }
        return Integer.parseInt(i);
    }

    /** d= as text (its octets read as UTF-8), as the key lookup is asked for {@code s._domainkey.d} (3.6.2.1). */
    String domainText() {
        return TagList.display(domain, 255);
    }

    /** s= as text, as the key lookup is asked. */
    String selectorText() {
        return TagList.display(selector, 255);
    }

    /** The domain part of i=. */
    String identityDomain() {
        return identity.substring(identity.lastIndexOf('@') + 1);
    }

    /**
     * This header field with the value of b= emptied, and everything else exactly as received
     * (3.7: "with the value of the b= tag (including all surrounding whitespace) deleted").
     */
    HeaderField withEmptySignature() {
        TagList.Tag b = tags.tag("b").orElseThrow();
        String raw = field.raw();
        int valueOffset = raw.indexOf(':') + 1;
        String blank = raw.substring(0, valueOffset + b.valueStart()) + raw.substring(valueOffset + b.valueEnd());
        return HeaderField.of(blank);
    }

    static boolean inDomain(String name, String domain) {
        String n = name.toLowerCase(Locale.ROOT);
        String d = domain.toLowerCase(Locale.ROOT);
        return n.equals(d) || n.endsWith("." + d);
    }

    /**
     * A domain name or selector: dot-separated labels of letters, digits, hyphens, underscores,
     * or UTF-8 (RFC 8616); no whitespace, no empty label.
     */
    private static boolean validDomain(String s) {
        if (s.isEmpty() || s.length() > 253 || s.startsWith(".") || s.endsWith(".") || s.contains("..")) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                    || c == '_' || c == '.' || c >= 0x80;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static byte[] base64(TagList t, String name) throws Refusal {
        String v = TagList.stripFws(t.get(name).orElseThrow());
        try {
            byte[] out = Base64.getDecoder().decode(v);
            if (out.length == 0) {
                throw new Refusal(DkimReason.SYNTAX_ERROR, name, "the value is empty");
            }
            return out;
        } catch (IllegalArgumentException e) {
            throw new Refusal(DkimReason.SYNTAX_ERROR, name, "the value is not base64");
        }
    }

    private static OptionalLong number(TagList t, String name, int maxDigits) throws Refusal {
        var v = t.get(name);
        if (v.isEmpty()) {
            return OptionalLong.empty();
        }
        String s = v.get();
        if (s.isEmpty() || s.length() > maxDigits || !s.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            throw new Refusal(DkimReason.SYNTAX_ERROR, name, "\"" + TagList.shorten(s) + "\" is not a number");
        }
        if (s.length() > 18) {
            return OptionalLong.of(Long.MAX_VALUE); // l= of more octets than any message has
        }
        return OptionalLong.of(Long.parseLong(s));
    }

    /** dkim-quoted-printable (2.11): =XX is an octet, FWS is dropped. */
    private static String quotedPrintable(String v) throws Refusal {
        String s = TagList.stripFws(v);
        var out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '=') {
                if (i + 2 >= s.length()) {
                    throw new Refusal(DkimReason.SYNTAX_ERROR, "i", "a broken =XX escape");
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new Refusal(DkimReason.SYNTAX_ERROR, "i", "a broken =XX escape");
                }
                out.write(hi * 16 + lo);
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }
}
