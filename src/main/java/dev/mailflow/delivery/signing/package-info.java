/**
 * What remote delivery adds to a message on its way out, above everything else: today DKIM
 * signatures (RFC 6376 section 5), later the ARC set when Mailflow forwards (RFC 8617
 * section 5.1), both through the one {@link dev.mailflow.delivery.signing.OutboundSigner}
 * seam that delivery calls once per form of a message it sends.
 *
 * <p>How it works: {@link dev.mailflow.delivery.signing.DkimOutboundSigner} decides whether a
 * message is ours to sign (an authenticated client's, a {@code relay_from} client's, or one the
 * server made; never mail that came anonymously from the internet), finds the keys of its
 * RFC 5322.From domain or of a parent domain in the
 * {@link dev.mailflow.delivery.signing.DkimKeyring} (loaded once, at start and at each
 * reload), and signs the exact bytes that follow on the wire, reading them once.
 */
package dev.mailflow.delivery.signing;
