/**
 * ARC, the Authenticated Received Chain (RFC 8617), on the DKIM core of
 * {@link dev.mailflow.auth.dkim} ({@link dev.mailflow.auth.dkim.ArcSignatures}), with no SMTP
 * I/O.
 *
 * <ul>
 * <li>{@code ArcChain} collects the ARC sets by instance and checks their structure (4.1,
 *     4.2.1, 5.2 steps 1 and 3): at most 50, numbered 1..N, one AAR, AMS and AS each, cv=none
 *     at 1 and pass above.</li>
 * <li>{@link dev.mailflow.auth.arc.ArcVerifier} is chain validation (5.2): the newest
 *     ARC-Message-Signature verified as DKIM verifies, every ARC-Seal over the sets up to its
 *     own (5.1.1), oldest-pass; the outcome says why in words.</li>
 * <li>{@link dev.mailflow.auth.arc.ArcSealer} is sealing (5.1): the next AAR, AMS
 *     (relaxed/relaxed) and AS with cv= from the chain as received; rsa-sha256 or
 *     ed25519-sha256. (dkimpy 1.1.4, the reference tool, handles only rsa-sha256 for ARC:
 *     seal with an RSA key where others must verify.)</li>
 * </ul>
 *
 * <p>RFC 8617 is Experimental and, as of 2026, being moved to Historic; receivers use it to
 * decide whether to trust a forwarder's results when DMARC fails after forwarding. Mailflow
 * reports it (arc= in Authentication-Results) and leaves that decision to local policy.
 *
 * <p>SECURITY: the ARC fields and DNS answers are untrusted; nothing here throws on them.
 */
package dev.mailflow.auth.arc;
