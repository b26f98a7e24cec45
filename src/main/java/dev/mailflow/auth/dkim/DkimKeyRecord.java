package dev.mailflow.auth.dkim;

/**
 * A published DKIM key record looked at on its own, with no signature (the tester's records
 * step): what the verifier would make of it (RFC 6376 3.6.1, RFC 8463 4) and how strong it is
 * under RFC 8301 3.2: RSA keys under 1024 bits are refused by verifiers, and signers are to
 * use at least 2048.
 *
 * @param keyType  k=: "rsa" or "ed25519"; null when the record did not parse
 * @param rsaBits  the RSA modulus size; 0 for Ed25519 and for a record that did not parse
 * @param testing  t=y: the domain is testing DKIM (verifiers should not treat failures differently)
 * @param revoked  p= is empty: the key was withdrawn (RFC 6376 3.6.1)
 * @param problem  why a verifier cannot use the record, in words; null when it can
 */
public record DkimKeyRecord(String keyType, int rsaBits, boolean testing, boolean revoked, String problem) {

    /** RFC 8301 3.2: verifiers must not accept smaller RSA keys. */
    public static final int MIN_RSA_BITS = 1024;
    /** RFC 8301 3.2: signers must use at least this many bits. */
    public static final int SIGNER_RSA_BITS = 2048;

    /**
     * @param record the TXT record's strings joined
     * @param where  the DNS name, for the words of a problem
     */
    public static DkimKeyRecord inspect(String record, String where) {
        try {
            var key = DkimKey.parse(record, where, false);
            String problem = key.rsaBits() > 0 && key.rsaBits() < MIN_RSA_BITS
                    ? DkimReason.KEY_TOO_SHORT.explain(where, key.rsaBits()) : null;
            return new DkimKeyRecord(key.keyType(), key.rsaBits(), key.testing(), false, problem);
        } catch (Refusal r) {
            return new DkimKeyRecord(null, 0, false, r.reason() == DkimReason.KEY_REVOKED, r.explanation());
        }
    }

    public boolean usable() {
        return problem == null;
    }

    /** An RSA key verifiers accept but that is under the 2048 bits RFC 8301 asks signers for. */
    public boolean weak() {
        return problem == null && rsaBits > 0 && rsaBits < SIGNER_RSA_BITS;
    }
}
