package dev.mailflow.auth.dkim;

import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.Base64;
import java.util.List;

/**
 * Signs a message, RFC 6376 section 5, with rsa-sha256 or ed25519-sha256 (RFC 8463):
 * relaxed/relaxed canonicalization, the header fields of {@link SignedHeaders} (From and the
 * other fields a reader sees oversigned), t= from the clock, no l= (a body length would leave
 * anything appended to the body unsigned, RFC 6376 section 8.2), no x=, no i= (it defaults
 * to {@code @d}). The field is folded at 78 columns.
 *
 * <p>Sign the exact bytes that will be sent, after any change a relay makes (8BITMIME
 * downgrade, added trace fields above the signature are fine): the signature covers the body
 * and the listed fields as they are now. {@link SigningInput} signs a message read from a
 * stream, with several keys and one body hash.
 *
 * <p>Thread-safe.
 */
public final class DkimSigner {

    private final DkimSigningKey key;
    private final Clock clock;

    public DkimSigner(DkimSigningKey key, Clock clock) {
        this.key = key;
        this.clock = clock;
    }

    public DkimSigner(DkimSigningKey key) {
        this(key, Clock.systemUTC());
    }

    /**
     * The DKIM-Signature header field for this message, with its final CRLF, to put at the
     * top of the message.
     *
     * @param message the message's CRLF bytes
     */
    public String signatureField(byte[] message) {
        RawMessage msg = RawMessage.parse(message);
        byte[] bodyHash = SignedData.bodyHash(msg, Canonicalization.RELAXED, key.algorithm(), -1).hash();
        return signatureField(msg, bodyHash);
    }

    /** The key it signs with. */
    public DkimSigningKey key() {
        return key;
    }

    /**
     * The field for a message whose header fields are {@code msg}'s and whose relaxed body
     * hash is {@code bodyHash} ({@link SigningInput} hashes a streamed body once for all keys).
     */
    String signatureField(RawMessage msg, byte[] bodyHash) {
        return messageSignature(msg, DkimVerifier.HEADER_NAME, "v=1;", SignedHeaders.select(msg), bodyHash);
    }

    /**
     * An ARC-Message-Signature (RFC 8617 4.1.2): DKIM's signature with i= the instance instead
     * of v=, over the same header fields as DKIM signing, plus every DKIM-Signature present.
     */
    String arcMessageSignature(RawMessage msg, int instance) {
        var h = new java.util.ArrayList<>(SignedHeaders.select(msg));
        msg.headers().stream().filter(f -> f.is(DkimVerifier.HEADER_NAME)).forEach(f -> h.add("dkim-signature"));
        return messageSignature(msg, ArcSignatures.AMS, "i=" + instance + ";", h,
                SignedData.bodyHash(msg, Canonicalization.RELAXED, key.algorithm(), -1).hash());
    }

    /** An ARC-Seal (RFC 8617 4.1.3) over {@code covered} (5.1.1), with the chain status cv=. */
    String arcSeal(List<HeaderField> covered, int instance, String cv) {
        HeaderFolder folder = new HeaderFolder(ArcSignatures.AS + ":")
                .word("i=" + instance + ";", true)
                .word("a=" + key.algorithm().tag() + ";", true)
                .word("cv=" + cv + ";", true)
                .word("d=" + key.domain() + ";", true)
                .word("s=" + key.selector() + ";", true)
                .word("t=" + clock.instant().getEpochSecond() + ";", true)
                .word("b=", true);
        byte[] data = SignedData.sealData(covered, HeaderField.of(folder.text()));
        return folder.breakable(Base64.getEncoder().encodeToString(signData(data))).text() + "\r\n";
    }

    private byte[] signData(byte[] headerData) {
        try {
            return key.algorithm().sign(key.privateKey(), headerData);
        } catch (GeneralSecurityException e) {
            // A key that loaded as RSA or Ed25519 always signs; this is a broken JDK.
            throw new IllegalStateException("the JDK could not sign with " + key.algorithm().tag(), e);
        }
    }

    private String messageSignature(RawMessage msg, String fieldName, String firstTag, List<String> h,
                                    byte[] bodyHash) {
        Canonicalization c = Canonicalization.RELAXED;

        HeaderFolder folder = new HeaderFolder(fieldName + ":")
                .word(firstTag, true)
                .word("a=" + key.algorithm().tag() + ";", true)
                .word("c=relaxed/relaxed;", true)
                .word("d=" + key.domain() + ";", true)
                .word("s=" + key.selector() + ";", true)
                .word("t=" + clock.instant().getEpochSecond() + ";", true);
        for (int i = 0; i < h.size(); i++) {
            String piece = h.get(i) + (i == h.size() - 1 ? ";" : ":");
            folder.word(i == 0 ? "h=" + piece : piece, i == 0);
        }
        folder.word("bh=", true).breakable(Base64.getEncoder().encodeToString(bodyHash) + ";");
        folder.word("b=", true);
        HeaderField unsigned = HeaderField.of(folder.text());
        byte[] signature = signData(SignedData.headerData(msg, h, c, unsigned));
        return folder.breakable(Base64.getEncoder().encodeToString(signature)).text() + "\r\n";
    }

    /** The message with its DKIM-Signature field prepended. */
    public byte[] sign(byte[] message) {
        byte[] field = signatureField(message).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        byte[] out = new byte[field.length + message.length];
        System.arraycopy(field, 0, out, 0, field.length);
        System.arraycopy(message, 0, out, field.length, message.length);
        return out;
    }
}
