package dev.mailflow.tlspolicy.dane;

import dev.mailflow.dns.TlsaRecord;
import java.util.List;
import java.util.Objects;

/**
 * What DNS says about DANE for one SMTP server (RFC 7672 2.2): the four outcomes of
 * {@link DaneLookup}, and what the SMTP client must then do with the connection.
 *
 * <table>
 * <caption>The outcomes and the client's duty</caption>
 * <tr><th>Outcome</th><th>STARTTLS</th><th>Certificate</th></tr>
 * <tr><td>{@link Usable}</td><td>required</td><td>must match a usable record ({@link DaneVerifier})</td></tr>
 * <tr><td>{@link NoneUsable}</td><td>required</td><td>not authenticated (RFC 7672 2.2)</td></tr>
 * <tr><td>{@link NotDane}</td><td colspan="2">not DANE: another policy (MTA-STS, opportunistic) decides</td></tr>
 * <tr><td>{@link TempFail}</td><td colspan="2">no delivery to this server now: try another MX or later</td></tr>
 * </table>
 */
public sealed interface DaneResult permits DaneResult.Usable, DaneResult.NoneUsable, DaneResult.NotDane,
        DaneResult.TempFail {

    /**
     * Whether the client must not send in plaintext to this server: true for {@link Usable}
     * and {@link NoneUsable} (a secure TLSA RRset is the server's promise of STARTTLS, RFC
     * 7672 2.2), false otherwise.
     */
    default boolean tlsRequired() {
        return this instanceof Usable || this instanceof NoneUsable;
    }

    /** In words, for logs, the tester and DSNs. */
    String describe();

    /**
     * DNSSEC-validated TLSA records, some of them usable for SMTP: DANE-TA(2) or DANE-EE(3),
     * selector 0 or 1, matching type 0, 1 or 2 (RFC 7672 3.1, RFC 7671 5). The server must
     * offer STARTTLS and present a certificate one of them matches.
     *
     * @param tlsaName       where the records are, e.g. "_25._tcp.mx.example.com"
     * @param usable         the usable records (at least one), in the order DNS gave them
     * @param referenceNames the names a DANE-TA(2) certificate must carry (RFC 7672 3.2.2):
     *                       the MX host name and, when the TLSA records were found at the
     *                       host's CNAME expansion, that name too
     */
    record Usable(String tlsaName, List<TlsaRecord> usable, List<String> referenceNames) implements DaneResult {
        public Usable {
            Objects.requireNonNull(tlsaName);
            usable = List.copyOf(usable);
            referenceNames = List.copyOf(referenceNames);
            if (usable.isEmpty()) {
                throw new IllegalArgumentException("a Usable result has at least one usable record");
            }
            if (referenceNames.isEmpty()) {
                throw new IllegalArgumentException("a Usable result names at least one reference identifier");
            }
        }

        @Override
        public String describe() {
            return usable.size() + " usable TLSA record" + (usable.size() == 1 ? "" : "s") + " at " + tlsaName
                    + " (DNSSEC-validated): " + String.join(", ", usable.stream().map(TlsaRecords::describe).toList());
        }
    }

    /**
     * DNSSEC-validated TLSA records, none of them usable for SMTP (PKIX-TA(0), PKIX-EE(1),
     * unknown selectors or matching types, digests of the wrong length). RFC 7672 2.2: the
     * server published TLSA records, so it promised TLS; the client still MUST use STARTTLS
     * (no fallback to plaintext) but cannot authenticate the certificate: mandatory,
     * unauthenticated TLS (Postfix's "encrypt" level for such a server).
     *
     * @param tlsaName where the records are
     * @param all      every record found
     */
    record NoneUsable(String tlsaName, List<TlsaRecord> all) implements DaneResult {
        public NoneUsable {
            Objects.requireNonNull(tlsaName);
            all = List.copyOf(all);
        }

        @Override
        public String describe() {
            return "the TLSA records at " + tlsaName + " are DNSSEC-validated but none is usable for SMTP ("
                    + String.join(", ", all.stream().map(r -> TlsaRecords.describe(r) + ": " + TlsaRecords
                            .whyUnusable(r)).toList()) + "): STARTTLS is required, the certificate is not checked";
        }
    }

    /**
     * DANE does not apply: the host's address records or its TLSA records are not
     * DNSSEC-signed (insecure), or DNSSEC proves there are no TLSA records. Delivery goes on by
     * another policy (MTA-STS, or opportunistic TLS).
     */
    record NotDane(String why) implements DaneResult {
        public NotDane {
            Objects.requireNonNull(why);
        }

        @Override
        public String describe() {
            return "no DANE: " + why;
        }
    }

    /**
     * The lookup failed (timeout, SERVFAIL) or DNSSEC found the answer bogus. RFC 7672 2.2: the
     * client must not deliver to this server now, neither in plaintext nor with unchecked TLS;
     * it tries another MX host or later.
     */
    record TempFail(String why) implements DaneResult {
        public TempFail {
            Objects.requireNonNull(why);
        }

        @Override
        public String describe() {
            return "DANE lookup failed: " + why;
        }
    }
}
