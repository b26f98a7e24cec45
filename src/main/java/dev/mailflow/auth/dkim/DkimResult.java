package dev.mailflow.auth.dkim;

/**
 * The verdict on one DKIM signature: the RFC 8601 result, why, and whose signature it was, as
 * Authentication-Results (header.d, header.s, header.a, header.b of RFC 6008) and a tester
 * show it.
 *
 * @param status         pass, fail, neutral, temperror, permerror or policy
 * @param reason         why, from the catalogue
 * @param explanation    the reason in words, with its details ("key not found: no DKIM key
 *                       record at sel._domainkey.example.test")
 * @param domain         d= as written, or null when the signature did not say
 * @param selector       s= as written, or null
 * @param algorithm      a= as written, or null
 * @param identity       i= decoded (default {@code @d}), or null when the signature did not parse
 * @param signatureStart the first characters of b=, for header.b, or null
 * @param testing        the key says t=y: the domain is testing DKIM, and RFC 6376 3.6.1 asks
 *                       verifiers not to treat a failure differently from an unsigned message
 */
public record DkimResult(DkimStatus status, DkimReason reason, String explanation, String domain, String selector,
        String algorithm, String identity, String signatureStart, boolean testing) {

    public boolean passed() {
        return status == DkimStatus.PASS;
    }

    /** One line for a person: {@code pass (d=example.test s=sel a=ed25519-sha256): signature verified}. */
    @Override
    public String toString() {
        return status.keyword() + " (d=" + domain + " s=" + selector + " a=" + algorithm + "): " + explanation
                + (testing ? " [key in testing mode, t=y]" : "");
    }
}
