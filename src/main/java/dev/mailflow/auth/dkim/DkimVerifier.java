package dev.mailflow.auth.dkim;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Verifies every DKIM signature of a message, RFC 6376 section 6.1, with rsa-sha256 and
 * ed25519-sha256 (RFC 8463) and the rules of RFC 8301 (no rsa-sha1, RSA keys of 1024 bits
 * or more). Works on the raw CRLF bytes of the message, as the queue stores them.
 *
 * <p>For each signature (up to the policy's limit, top first): parse and check the tags (6.1.1);
 * refuse expired ones and ones from the future; fetch and check the key (6.1.2); compare the
 * body hash (6.1.3) and verify b= over the header data. When the body hash differs the
 * signature is still checked, so that the reason can say whether the header fields were kept.
 * Body hashes are computed once per canonicalization, hash and l=.
 *
 * <p>SECURITY: the message and the DNS answers are untrusted; nothing here throws on them,
 * and every explanation is in our words. An l= shorter than the body leaves the rest unsigned:
 * that is {@code policy}, not {@code pass}, unless the policy accepts it (RFC 6376 section
 * 8.2).
 *
 * <p>Thread-safe: keeps no state between messages.
 */
public final class DkimVerifier {

    static final String HEADER_NAME = "DKIM-Signature";

    private final DkimKeyLookup keys;
    private final Clock clock;
    private final DkimPolicy policy;

    public DkimVerifier(DkimKeyLookup keys, Clock clock, DkimPolicy policy) {
        this.keys = keys;
        this.clock = clock;
        this.policy = policy;
    }

    public DkimVerifier(DkimKeyLookup keys) {
        this(keys, Clock.systemUTC(), DkimPolicy.standard());
    }

    /** Verifies the message, given as its CRLF bytes (header section, empty line, body). */
    public DkimVerification verify(byte[] message) {
        return verify(ParsedMessage.of(message));
    }

    /** Verifies a message already split into its fields (which the other checks read too). */
    public DkimVerification verify(ParsedMessage message) {
        RawMessage msg = message.raw();
        var results = new ArrayList<DkimResult>();
        int notChecked = 0;
        Map<String, SignedData.BodyHash> bodyHashes = new HashMap<>();
        for (HeaderField f : msg.headers()) {
            if (!f.is(HEADER_NAME)) {
                continue;
            }
            if (results.size() >= policy.maxSignatures()) {
                notChecked++;
                continue;
            }
            DkimResult r;
            try {
                r = verifyOne(msg, f, bodyHashes);
            } catch (RuntimeException e) {
                // A bug here, or a key lookup that threw: temperror, never a permanent verdict.
                r = result(new Refusal(DkimReason.CHECK_FAILED), DkimSignature.names(f), null, false);
            }
            results.add(r);
        }
        return new DkimVerification(results, notChecked);
    }

    /**
     * The same message with lone LF line ends made CRLF: for message files from a Unix system
     * (a tester's {@code --message FILE}); mail from the queue is CRLF already.
     */
    public static byte[] withCrlfLineEnds(byte[] message) {
        return RawMessage.withCrlfLineEnds(message);
    }

    private DkimResult verifyOne(RawMessage msg, HeaderField field, Map<String, SignedData.BodyHash> bodyHashes) {
        return verifyOne(msg, field, bodyHashes, DkimSignature.Kind.DKIM);
    }

    /** An ARC-Message-Signature, verified as DKIM verifies a signature (RFC 8617 5.2 step 4). */
    DkimResult verifyArcMessageSignature(RawMessage msg, HeaderField field) {
        try {
            return verifyOne(msg, field, new HashMap<>(), DkimSignature.Kind.ARC_MESSAGE);
        } catch (RuntimeException e) {
            return result(new Refusal(DkimReason.CHECK_FAILED), DkimSignature.names(field), null, false);
        }
    }

    /**
     * An ARC-Seal over the header fields it covers (RFC 8617 5.1.1: the ARC sets up to its own
     * instance, oldest first, then the seal itself with b= empty; relaxed canonicalization).
     */
    DkimResult verifyArcSeal(List<HeaderField> covered, HeaderField seal) {
        DkimSignature.Names names = DkimSignature.names(seal);
        DkimSignature sig;
        try {
            sig = DkimSignature.parse(seal, false, DkimSignature.Kind.ARC_SEAL);
        } catch (Refusal r) {
            return result(r, names, null, false);
        }
        try {
            checkTimes(sig);
            byte[] data = SignedData.sealData(covered, sig.withEmptySignature());
            Refusal first = null;
            for (DkimKey key : keys(sig)) {
                boolean ok;
                try {
                    ok = sig.algorithm.verify(key, data, sig.signature);
                } catch (GeneralSecurityException e) {
                    ok = false;
                }
                if (ok) {
                    return new DkimResult(DkimStatus.PASS, DkimReason.VERIFIED, "seal verified", names.domain(),
                            names.selector(), names.algorithm(), null, names.signatureStart(), key.testing());
                }
                first = first == null ? new Refusal(DkimReason.SIGNATURE_MISMATCH) : first;
            }
            throw first;
        } catch (Refusal r) {
            return result(r, names, sig, false);
        } catch (RuntimeException e) {
            return result(new Refusal(DkimReason.CHECK_FAILED), names, null, false);
        }
    }

    private DkimResult verifyOne(RawMessage msg, HeaderField field, Map<String, SignedData.BodyHash> bodyHashes,
            DkimSignature.Kind kind) {
        TagList tags;
        try {
            tags = TagList.parse(field.value());
        } catch (TagList.Invalid e) {
            return result(DkimSignature.syntaxError(e), DkimSignature.Names.UNKNOWN, null, false);
        }
        // The tag list is parsed once, for the names a report shows and for the signature.
        DkimSignature.Names names = DkimSignature.names(tags);
        DkimSignature sig;
        try {
            sig = DkimSignature.parse(field, tags, policy.historic(), kind);
        } catch (Refusal r) {
            return result(r, names, null, false);
        }
        boolean testing = false;
        try {
            checkTimes(sig);
            if (sig.algorithm.historic() && !policy.historic()) {
                throw new Refusal(DkimReason.HISTORIC_ALGORITHM);
            }
            List<DkimKey> candidates = keys(sig);
            testing = candidates.stream().anyMatch(DkimKey::testing);
            String explanation = null;
            Refusal first = null;
            for (DkimKey key : candidates) {
                try {
                    explanation = check(msg, sig, key, bodyHashes);
                    testing = key.testing();
                    first = null;
                    break;
                } catch (Refusal r) {
                    if (first == null) {
                        first = r;
                    }
                }
            }
            if (first != null) {
                throw first;
            }
            DkimReason reason = explanation == null ? DkimReason.VERIFIED : DkimReason.UNSIGNED_BODY_TAIL;
            return new DkimResult(reason.status(), reason, explanation == null ? reason.explain() : explanation,
                    names.domain(), names.selector(),
                    names.algorithm(), TagList.display(sig.identity, 255), names.signatureStart(), testing);
        } catch (Refusal r) {
            return result(r, names, sig, testing);
        }
    }

    private static DkimResult result(Refusal r, DkimSignature.Names names, DkimSignature sig, boolean testing) {
        return new DkimResult(r.reason().status(), r.reason(), r.explanation(), names.domain(), names.selector(),
                names.algorithm(), sig == null ? null : TagList.display(sig.identity, 255), names.signatureStart(), testing);
    }

    private void checkTimes(DkimSignature sig) throws Refusal {
        long now = clock.instant().getEpochSecond();
        if (sig.expiry.isPresent() && sig.expiry.getAsLong() < now) {
            throw new Refusal(DkimReason.EXPIRED, Instant.ofEpochSecond(sig.expiry.getAsLong()));
        }
        if (sig.timestamp.isPresent() && sig.timestamp.getAsLong() > now + policy.clockSkew().toSeconds()) {
            throw new Refusal(DkimReason.TIMESTAMP_IN_FUTURE, Instant.ofEpochSecond(sig.timestamp.getAsLong()));
        }
    }

    /** The key records at the selector that parse, each checked against the signature (6.1.2). */
    private List<DkimKey> keys(DkimSignature sig) throws Refusal {
        String where = sig.selectorText() + "._domainkey." + sig.domainText();
        DkimKeyLookup.Answer answer = keys.lookup(sig.selectorText(), sig.domainText());
        List<String> records = switch (answer) {
            case DkimKeyLookup.Found f -> f.records();
            case DkimKeyLookup.NotFound n -> List.of();
            case DkimKeyLookup.TempFail t -> throw new Refusal(DkimReason.KEY_TEMPFAIL, where,
                    TagList.shorten(t.reason()));
        };
        if (records.isEmpty()) {
            throw new Refusal(DkimReason.KEY_NOT_FOUND, where);
        }
        // 6.1.2 step 3: with several records, "the Verifier can choose one ... or may cycle
        // through" them: every record that is a usable key is tried; else the first problem.
        var usable = new ArrayList<DkimKey>();
        Refusal first = null;
        for (String record : records) {
            try {
                DkimKey key = DkimKey.parseCached(record, where, policy.historic());
                checkKey(sig, key, where);
                usable.add(key);
            } catch (Refusal r) {
                if (first == null) {
                    first = r;
                }
            }
        }
        if (usable.isEmpty()) {
            throw first;
        }
        return usable;
    }

    private void checkKey(DkimSignature sig, DkimKey key, String where) throws Refusal {
        if (!key.keyType().equals(sig.algorithm.keyType())) {
            throw new Refusal(DkimReason.KEY_TYPE_MISMATCH, where, key.keyType(), sig.algorithm.tag());
        }
        if (!key.hashes().isEmpty() && !key.hashes().contains(sig.algorithm.hashName())) {
            throw new Refusal(DkimReason.KEY_HASH_NOT_ALLOWED, where, String.join(":", key.hashes()),
                    sig.algorithm.hashName());
        }
        if (!key.services().contains("*") && !key.services().contains("email")) {
            throw new Refusal(DkimReason.KEY_NOT_FOR_EMAIL, where, TagList.shorten(String.join(":", key.services())));
        }
        if (key.strictIdentity() && !sig.identityDomain().equalsIgnoreCase(sig.domain)) {
            throw new Refusal(DkimReason.KEY_STRICT_IDENTITY, where, sig.domainText(),
                    TagList.display(sig.identity, 255));
        }
        if (key.rsaBits() > 0 && key.rsaBits() < policy.minRsaBits()) {
            throw new Refusal(DkimReason.KEY_TOO_SHORT, where, key.rsaBits());
        }
    }

    /**
     * Body hash and signature (6.1.3).
     *
     * @return null for a pass, or the explanation of a policy result for an l= that leaves
     *         part of the body unsigned
     */
    private String check(RawMessage msg, DkimSignature sig, DkimKey key, Map<String, SignedData.BodyHash> cache)
            throws Refusal {
        long limit = sig.length.orElse(-1);
        SignedData.BodyHash body = cache.computeIfAbsent(sig.bodyCanonicalization + "/" + sig.algorithm.hashName()
                + "/" + limit, k -> SignedData.bodyHash(msg, sig.bodyCanonicalization, sig.algorithm, limit));
        byte[] headerData = SignedData.headerData(msg, sig.signedHeaders, sig.headerCanonicalization,
                sig.withEmptySignature());
        boolean signatureOk;
        try {
            signatureOk = sig.algorithm.verify(key, headerData, sig.signature);
        } catch (GeneralSecurityException e) {
            signatureOk = false;
        }
        if (limit >= 0 && body.canonicalLength() < limit) {
            throw new Refusal(DkimReason.BODY_SHORTER_THAN_LENGTH, body.canonicalLength(), limit);
        }
        if (!MessageDigest.isEqual(body.hash(), sig.bodyHash)) {
            throw new Refusal(DkimReason.BODY_HASH_MISMATCH, signatureOk
                    ? "the signed header fields are unchanged" : "the signed header fields were changed too");
        }
        if (!signatureOk) {
            throw new Refusal(DkimReason.SIGNATURE_MISMATCH);
        }
        if (limit >= 0 && body.canonicalLength() > limit && !policy.acceptUnsignedBodyTail()) {
            return DkimReason.UNSIGNED_BODY_TAIL.explain(limit, body.canonicalLength());
        }
        return null;
    }
}
