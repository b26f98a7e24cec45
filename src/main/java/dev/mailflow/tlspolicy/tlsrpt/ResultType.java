package dev.mailflow.tlspolicy.tlsrpt;

import java.util.Optional;

/**
 * Why a TLS session failed, as RFC 8460 4.3 names it: the {@code result-type} of a failure
 * detail in an aggregate report.
 */
public enum ResultType {
    // 4.3.1, negotiation failures
    /** The receiving MX did not offer STARTTLS (or the command failed). */
    STARTTLS_NOT_SUPPORTED("starttls-not-supported"),
    /** The certificate presented did not match the MX's host name. */
    CERTIFICATE_HOST_MISMATCH("certificate-host-mismatch"),
    /** The certificate has expired. */
    CERTIFICATE_EXPIRED("certificate-expired"),
    /** The certificate chain does not lead to a trusted root. */
    CERTIFICATE_NOT_TRUSTED("certificate-not-trusted"),
    /** Any other failure to negotiate or validate the TLS session. */
    VALIDATION_FAILURE("validation-failure"),
    // 4.3.2, DANE policy failures
    /** The TLSA records are invalid, or none of them matched the certificate. */
    TLSA_INVALID("tlsa-invalid"),
    /** DNSSEC validation of the records failed (a bogus answer). */
    DNSSEC_INVALID("dnssec-invalid"),
    /** The sender requires DANE and the recipient does not publish usable TLSA records. */
    DANE_REQUIRED("dane-required"),
    // 4.3.3, MTA-STS policy failures
    /** The MTA-STS policy could not be fetched (DNS, TCP, TLS or HTTP failure). */
    STS_POLICY_FETCH_ERROR("sts-policy-fetch-error"),
    /** The MTA-STS policy was fetched but could not be parsed, or its id was inconsistent. */
    STS_POLICY_INVALID("sts-policy-invalid"),
    /** The certificate of the policy host failed WebPKI validation. */
    STS_WEBPKI_INVALID("sts-webpki-invalid");

    private final String jsonName;

    ResultType(String jsonName) {
        this.jsonName = jsonName;
    }

    /** The name in the JSON report, e.g. {@code certificate-expired}. */
    public String jsonName() {
        return jsonName;
    }

    /** The type with this JSON name, if any. */
    public static Optional<ResultType> fromJsonName(String name) {
        for (var t : values()) {
            if (t.jsonName.equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
