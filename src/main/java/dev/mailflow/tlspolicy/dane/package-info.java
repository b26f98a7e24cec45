/**
 * DANE for SMTP (RFC 7672, with RFC 6698 and RFC 7671): TLSA records found under DNSSEC say
 * which certificate an MX host must present. No SMTP I/O here; remote delivery and the tester
 * both use it.
 *
 * <ul>
 * <li>{@link dev.mailflow.tlspolicy.dane.DaneLookup}: for one host, whether DANE applies (its
 *     address records secure, CNAMEs expanded, TLSA at {@code _25._tcp.<host>} secure) and
 *     with which records: a sealed {@link dev.mailflow.tlspolicy.dane.DaneResult} (Usable,
 *     NoneUsable, NotDane, TempFail) that also says what the client must do.
 * <li>{@link dev.mailflow.tlspolicy.dane.DaneVerifier}: the server's certificate chain against
 *     the usable records (DANE-EE: the key or certificate alone; DANE-TA: a chain up to a
 *     matching anchor and a name check), giving a sealed
 *     {@link dev.mailflow.tlspolicy.dane.DaneVerification}; as a trust manager
 *     ({@link dev.mailflow.tlspolicy.dane.DaneTrustManager}) inside the handshake, or after it.
 * <li>{@link dev.mailflow.tlspolicy.dane.TlsaRecords}: usability, names, and the record to
 *     publish for our own certificate.
 * </ul>
 *
 * <p>DNSSEC itself is {@code dev.mailflow.dns}'s: an answer's "authenticated" flag, from a
 * local validating resolver's AD bit or from our own validation with a trust anchor.
 */
package dev.mailflow.tlspolicy.dane;
