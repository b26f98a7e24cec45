package dev.mailflow.auth.dkim;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The DKIM machinery that ARC (RFC 8617) reuses, for {@code dev.mailflow.auth.arc}: the
 * message's header fields as received, tag lists, and signing and verifying the two
 * signature fields of an ARC set.
 *
 * <ul>
 * <li>ARC-Message-Signature (RFC 8617 4.1.2) is a DKIM signature (RFC 6376 3.5, 3.7) with
 *     i= the instance in place of v=; it is verified by the DKIM verifier (key lookup, body
 *     hash, b=), and made by the DKIM signer (relaxed/relaxed, the same header list, plus the
 *     DKIM-Signature fields present).</li>
 * <li>ARC-Seal (RFC 8617 4.1.3) signs no body: its header data is the ARC sets it covers,
 *     oldest first, AAR, AMS, AS in each, then itself with b= empty, all in relaxed form
 *     (5.1.1).</li>
 * </ul>
 *
 * <p>SECURITY: messages and DNS answers are untrusted; nothing here throws on them.
 */
public final class ArcSignatures {

    public static final String AAR = "ARC-Authentication-Results";
    public static final String AMS = "ARC-Message-Signature";
    public static final String AS = "ARC-Seal";

    /**
     * One header field as received.
     *
     * @param name the field name as written
     * @param raw  the whole field, folds and final CRLF included (each byte one char)
     */
    public record Field(String name, String raw) {

        /** A field from its text: {@code Name: value}, with or without its CRLF. */
        public static Field of(String raw) {
            HeaderField f = HeaderField.of(raw);
            return new Field(f.name(), f.raw());
        }

        /** The text after the colon, without the final CRLF. */
        public String value() {
            return header().value();
        }

        public boolean is(String fieldName) {
            return name.equalsIgnoreCase(fieldName);
        }

        HeaderField header() {
            return new HeaderField(name, raw);
        }
    }

    private final DkimVerifier verifier;

    public ArcSignatures(DkimKeyLookup keys, Clock clock, DkimPolicy policy) {
        this.verifier = new DkimVerifier(keys, clock, policy);
    }

    /** The header fields of a message (CRLF line ends), top first (RFC 5322 2.2). */
    public static List<Field> headerFields(byte[] message) {
        return RawMessage.parse(message).headers().stream().map(h -> new Field(h.name(), h.raw())).toList();
    }

    /**
     * A DKIM tag list (RFC 6376 3.2), tag names as written, values with FWS at the ends
     * removed; empty when the list is not valid (a tag twice, a piece without '=').
     */
    public static Optional<Map<String, String>> tags(String value) {
        try {
            TagList t = TagList.parse(value);
            var out = new LinkedHashMap<String, String>();
            for (String name : List.of("i", "cv", "a", "d", "s", "t", "b", "bh", "h", "c")) {
                t.get(name).ifPresent(v -> out.put(name, v));
            }
            return Optional.of(out);
        } catch (TagList.Invalid e) {
            return Optional.empty();
        }
    }

    /** A value quoted in a reason: printable ASCII, at most 40 characters. */
    public static String shorten(String untrusted) {
        return TagList.shorten(untrusted);
    }

    /** Verifies one ARC-Message-Signature of the message as DKIM verifies a signature. */
    public DkimResult verifyMessageSignature(byte[] message, Field ams) {
        return verifyMessageSignature(ParsedMessage.of(message), ams);
    }

    /** The same, for a message already split into its fields. */
    public DkimResult verifyMessageSignature(ParsedMessage message, Field ams) {
        return verifier.verifyArcMessageSignature(message.raw(), ams.header());
    }

    /**
     * Verifies one ARC-Seal.
     *
     * @param covered the ARC sets up to the seal's instance, oldest first (AAR, AMS, AS of
     *                each), without the seal itself
     */
    public DkimResult verifySeal(List<Field> covered, Field seal) {
        return verifier.verifyArcSeal(covered.stream().map(Field::header).toList(), seal.header());
    }

    /** The ARC-Message-Signature field for instance {@code i} of this message, ending in CRLF. */
    public static String messageSignature(byte[] message, DkimSigningKey key, Clock clock, int instance) {
        return new DkimSigner(key, clock).arcMessageSignature(RawMessage.parse(message), instance);
    }

    /**
     * The ARC-Seal field for instance {@code i}, ending in CRLF.
     *
     * @param covered the fields it signs, oldest set first, the new AAR and AMS last
     * @param cv      the chain validation status: none, pass or fail
     */
    public static String seal(List<Field> covered, DkimSigningKey key, Clock clock, int instance, String cv) {
        return new DkimSigner(key, clock).arcSeal(covered.stream().map(Field::header).toList(), instance, cv);
    }
}
