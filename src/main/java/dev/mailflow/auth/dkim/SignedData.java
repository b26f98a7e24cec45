package dev.mailflow.auth.dkim;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * What a signature covers, the same for the signer and the verifier (RFC 6376 sections 3.7
 * and 5.4.2):
 * <ul>
 * <li>the header data: for each name in h=, the last not yet used field of that name, going up
 *     from the bottom (so a repeated field is signed bottom-up, and a name listed more often
 *     than the field occurs, "oversigning", adds nothing and forbids adding one later); then
 *     the DKIM-Signature field itself with b= empty and without its final CRLF; each
 *     canonicalized;</li>
 * <li>the body hash over the canonical body, of at most l= octets when l= is given.</li>
 * </ul>
 */
final class SignedData {

    private SignedData() {
    }

    static byte[] headerData(RawMessage message, List<String> signedHeaders, Canonicalization c,
            HeaderField signatureWithEmptyB) {
        List<HeaderField> fields = message.headers();
        // SECURITY: fields indexed by name, bottom first, each taken once: linear in the fields
        // and in h=, where a scan per name was quadratic (100,000 fields times an h= of 30,000
        // absent names held a core for a minute).
        var byName = new java.util.HashMap<String, java.util.ArrayDeque<HeaderField>>();
        for (int i = fields.size() - 1; i >= 0; i--) {
            byName.computeIfAbsent(fields.get(i).name().toLowerCase(java.util.Locale.ROOT),
                    k -> new java.util.ArrayDeque<>()).addLast(fields.get(i));
        }
        var out = new ByteArrayOutputStream();
        for (String name : signedHeaders) {
            var left = byName.get(name.toLowerCase(java.util.Locale.ROOT));
            if (left != null && !left.isEmpty()) {
                out.writeBytes(c.header(left.pollFirst()).getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        String self = c.header(signatureWithEmptyB);
        out.writeBytes(self.substring(0, self.length() - 2).getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    /**
     * What an ARC-Seal signs (RFC 8617 5.1.1): each covered field (the ARC sets in instance
     * order, AAR, AMS, AS within each) in relaxed form, then the seal with b= empty and without
     * its final CRLF.
     */
    static byte[] sealData(List<HeaderField> covered, HeaderField sealWithEmptyB) {
        var out = new ByteArrayOutputStream();
        for (HeaderField f : covered) {
            out.writeBytes(Canonicalization.RELAXED.header(f).getBytes(StandardCharsets.ISO_8859_1));
        }
        String self = Canonicalization.RELAXED.header(sealWithEmptyB);
        out.writeBytes(self.substring(0, self.length() - 2).getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    /** The body hash and the length of the whole canonical body (which l= is compared with). */
    record BodyHash(byte[] hash, long canonicalLength) {
    }

    /** @param limit l=, or a negative number for the whole body */
    static BodyHash bodyHash(RawMessage message, Canonicalization c, DkimAlgorithm algorithm, long limit) {
        MessageDigest md = algorithm.newDigest();
        long[] counts = new long[2]; // [0] all canonical octets, [1] octets hashed
        c.body(message.bytes(), message.bodyStart(), message.bytes().length, (b, off, len) -> {
            counts[0] += len;
            long room = limit < 0 ? len : Math.min(len, limit - counts[1]);
            if (room > 0) {
                md.update(b, off, (int) room);
                counts[1] += room;
            }
        });
        return new BodyHash(md.digest(), counts[0]);
    }
}
