/**
 * DKIM, RFC 6376, with rsa-sha256 and ed25519-sha256 (RFC 8463) and the rules of RFC 8301:
 * signing and verifying the raw CRLF bytes of a message, with no SMTP I/O and no DNS client.
 *
 * <p>How it works:
 * <ul>
 * <li>{@link dev.mailflow.auth.dkim.DkimVerifier} finds each DKIM-Signature field (up to
 *     {@link dev.mailflow.auth.dkim.DkimPolicy#maxSignatures()}), parses its tag list (3.2,
 *     {@code TagList}; 3.5, {@code DkimSignature}), fetches the key record through a
 *     {@link dev.mailflow.auth.dkim.DkimKeyLookup} (3.6, {@code DkimKey}), recomputes the body
 *     hash and the header data (3.4 {@code Canonicalization}, 3.7 and 5.4.2 {@code SignedData})
 *     and checks b=. Each signature gets a {@link dev.mailflow.auth.dkim.DkimResult}: an RFC 8601
 *     status and a {@link dev.mailflow.auth.dkim.DkimReason} in words, so a tester can say why.</li>
 * <li>{@link dev.mailflow.auth.dkim.DkimSigner} signs with a
 *     {@link dev.mailflow.auth.dkim.DkimSigningKey} (PKCS#8 PEM): relaxed/relaxed, the fields
 *     of {@code SignedHeaders} with From oversigned, t=, no l=, folded at 78 columns.</li>
 * <li>{@link dev.mailflow.auth.dkim.SigningInput} signs a message read from a stream in one
 *     pass, with several keys over one body hash: the header section in memory, the body
 *     canonicalized as it is read ({@code BodyCanonicalizer}), so a large message is never held;
 *     {@link dev.mailflow.auth.dkim.FromDomain} gives its RFC 5322.From domain, which picks the
 *     keys.</li>
 * <li>{@link dev.mailflow.auth.dkim.DkimKeyGenerator} makes key pairs and the TXT record to
 *     publish ({@code mailflow dkim keygen}).</li>
 * </ul>
 *
 * <p>Crypto is the JDK's alone: {@code SHA256withRSA}, and {@code Ed25519} over the SHA-256 of
 * the header data; the raw 32-octet Ed25519 key of a DNS record becomes a SubjectPublicKeyInfo
 * with a fixed 12-octet prefix.
 *
 * <p>SECURITY: messages and DNS answers are untrusted. Parsing never throws on them; every
 * reason shown is our own text, with untrusted values shortened to printable ASCII. rsa-sha1
 * and RSA keys under 1024 bits are refused ({@code policy}), and so is a body length l= that
 * leaves part of the body unsigned, unless the policy accepts it.
 */
package dev.mailflow.auth.dkim;
