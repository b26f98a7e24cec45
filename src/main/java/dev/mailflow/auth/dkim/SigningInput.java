package dev.mailflow.auth.dkim;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A message to sign, read from a stream in one pass (RFC 6376 section 5): the header section
 * is kept in memory (the signer picks keys by its From field, then signs its fields), the
 * body is canonicalized and hashed as it is read ({@link BodyCanonicalizer}) and never held.
 * Several signatures (an RSA and an Ed25519 key side by side, RFC 8463 section 6) share one
 * body hash: both algorithms hash with SHA-256, and Mailflow signs relaxed/relaxed only.
 *
 * <pre>{@code
 * var input = SigningInput.read(in);
 * var keys = keyring.forDomain(input.fromDomain());   // the caller's choice
 * List<String> fields = input.sign(signers);          // reads the body
 * }</pre>
 *
 * <p>Not thread-safe; {@link #sign} reads the stream to its end, once.
 */
public final class SigningInput {

    private static final int CHUNK = 64 * 1024;

    private final RawMessage header;
    private final byte[] bodyStart;
    private final InputStream rest;
    private boolean signed;

    private SigningInput(RawMessage header, byte[] bodyStart, InputStream rest) {
        this.header = header;
        this.bodyStart = bodyStart;
        this.rest = rest;
    }

    /**
     * Reads the header section, up to and including the empty line that ends it (RFC 5322
     * 2.1); a message without one is all header with an empty body. The stream is not
     * closed; {@link #sign} reads the rest.
     *
     * @param message the message as it will be sent: CRLF line ends, dot-stuffing undone
     */
    public static SigningInput read(InputStream message) throws IOException {
        var head = new ByteArrayOutputStream(8192);
        byte[] chunk = new byte[CHUNK];
        // How much of CRLF CRLF was just seen; 2 at the start, so that a message that opens
        // with an empty line has no header fields at all.
        int seen = 2;
        int n;
        while ((n = message.read(chunk)) > 0) {
            for (int i = 0; i < n; i++) {
                byte b = chunk[i];
                seen = b == '\r' ? (seen == 2 ? 3 : 1) : b == '\n' && (seen == 1 || seen == 3) ? seen + 1 : 0;
                if (seen == 4) {
                    head.write(chunk, 0, i + 1);
                    return new SigningInput(RawMessage.parse(head.toByteArray()),
                            Arrays.copyOfRange(chunk, i + 1, n), message);
                }
            }
            head.write(chunk, 0, n);
        }
        return new SigningInput(RawMessage.parse(head.toByteArray()), new byte[0], InputStream.nullInputStream());
    }

    /** The RFC 5322.From domain ({@link FromDomain}), or empty when there is none usable. */
    public Optional<String> fromDomain() {
        var values = new ArrayList<String>();
        for (var f : header.headers()) {
            if (f.is("From")) {
                values.add(f.value());
            }
        }
        return FromDomain.of(values);
    }

    /**
     * The DKIM-Signature field of each signer, in order, each with its final CRLF, to put at
     * the top of the message (the first one topmost). Reads the body to the end of the stream.
     *
     * @throws IllegalStateException when called twice (the body was read already)
     */
    public List<String> sign(List<DkimSigner> signers) throws IOException {
        if (signed) {
            throw new IllegalStateException("the message was signed already: its body has been read");
        }
        signed = true;
        if (signers.isEmpty()) {
            return List.of();
        }
        var digests = new LinkedHashMap<String, MessageDigest>();
        for (var s : signers) {
            var md = s.key().algorithm().newDigest();
            digests.putIfAbsent(md.getAlgorithm(), md);
        }
        var all = List.copyOf(digests.values());
        var body = new BodyCanonicalizer(Canonicalization.RELAXED, (b, off, len) -> {
            for (var md : all) {
                md.update(b, off, len);
            }
        });
        body.write(bodyStart, 0, bodyStart.length);
        byte[] chunk = new byte[CHUNK];
        int n;
        while ((n = rest.read(chunk)) > 0) {
            body.write(chunk, 0, n);
        }
        body.finish();
        Map<String, byte[]> hashes = new LinkedHashMap<>();
        digests.forEach((name, md) -> hashes.put(name, md.digest()));
        var fields = new ArrayList<String>(signers.size());
        for (var s : signers) {
            String digest = s.key().algorithm().newDigest().getAlgorithm();
            fields.add(s.signatureField(header, hashes.get(digest)));
        }
        return List.copyOf(fields);
    }
}
