package dev.mailflow.tlspolicy.tlsrpt;

import dev.mailflow.smtp.Domains;
import java.net.IDN;
import java.net.InetAddress;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What delivery tells TLS-RPT about one attempt at a TLS session with a receiving MX (RFC 8460
 * 4.1 to 4.3): the policy applied and, when it failed, why. Remote delivery makes one per
 * connection attempt and gives it to {@link ReportLog#record}; a report's own delivery is never
 * recorded (RFC 8460 3: no loop of reports on reports).
 *
 * @param time          when the session was attempted
 * @param policyDomain  the recipient domain whose policy applied (the report goes to this
 *                      domain's TLS-RPT record); kept lower-cased, in A-labels, without a
 *                      final dot
 * @param type          the policy applied
 * @param policyStrings the policy as text (RFC 8460 4.4 {@code policy-string}): the lines of
 *                      the MTA-STS policy, or the TLSA records in presentation form; empty for
 *                      {@link PolicyType#NO_POLICY_FOUND}
 * @param mxHost        the MX host name tried ({@code receiving-mx-hostname}), or null when the
 *                      failure came before any MX was chosen (a policy that could not be fetched)
 * @param mxHelo        the name in the MX's 220 banner or EHLO reply, or null
 * @param receivingIp   the MX address connected to, or null when there was no connection
 * @param sendingIp     our own address on the connection, or null when unknown
 * @param failure       why the session failed; null for a successful session
 */
public record SessionResult(Instant time, String policyDomain, PolicyType type, List<String> policyStrings,
                            String mxHost, String mxHelo, InetAddress receivingIp, InetAddress sendingIp,
                            Failure failure) {

    /** At most this many characters of any free text (a policy line, a reason) are kept. */
    static final int MAX_TEXT = 1000;

    /** At most this many policy strings are kept (an MTA-STS policy has a handful of lines). */
    static final int MAX_POLICY_STRINGS = 100;

    /**
     * Why a session failed.
     *
     * @param resultType            the RFC 8460 4.3 result type
     * @param reasonCode            free text for the receiving domain's operators
     *                              ({@code failure-reason-code}, 4.4), e.g. "no TLSA record
     *                              matched the certificate"; may be null
     * @param additionalInformation a URI with more about the failure
     *                              ({@code additional-information}, 4.4); usually null
     */
    public record Failure(ResultType resultType, String reasonCode, URI additionalInformation) {

        public Failure {
            Objects.requireNonNull(resultType, "resultType");
            reasonCode = reasonCode == null || reasonCode.isBlank() ? null : printable(reasonCode);
        }

        public Failure(ResultType resultType, String reasonCode) {
            this(resultType, reasonCode, null);
        }
    }

    public SessionResult {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(type, "type");
        policyDomain = domain(Objects.requireNonNull(policyDomain, "policyDomain"));
        if (!Domains.isValidDomain(policyDomain, false)) {
            throw new IllegalArgumentException("not a domain name: " + policyDomain);
        }
        policyStrings = policyStrings == null ? List.of()
                : policyStrings.stream().limit(MAX_POLICY_STRINGS).map(SessionResult::printable).toList();
        mxHost = mxHost == null || mxHost.isBlank() ? null : domain(mxHost);
        mxHelo = mxHelo == null || mxHelo.isBlank() ? null : printable(mxHelo);
    }

    /** A successful session. */
    public static SessionResult success(Instant time, String policyDomain, PolicyType type, List<String> policyStrings,
                                        String mxHost, String mxHelo, InetAddress receivingIp, InetAddress sendingIp) {
        return new SessionResult(time, policyDomain, type, policyStrings, mxHost, mxHelo, receivingIp, sendingIp, null);
    }

    public boolean successful() {
        return failure == null;
    }

    /** Lower case, no final dot, A-labels (RFC 5890) for a name with non-ASCII labels. */
    static String domain(String name) {
        String s = name.strip();
        s = s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
        if (!s.chars().allMatch(c -> c < 128)) {
            try {
                s = IDN.toASCII(s, IDN.ALLOW_UNASSIGNED);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("not a domain name: " + name);
            }
        }
        return s.toLowerCase(Locale.ROOT);
    }

    /** Control characters become spaces; overlong text is cut (SECURITY: the text comes from peers). */
    static String printable(String s) {
        var sb = new StringBuilder(Math.min(s.length(), MAX_TEXT));
        for (int i = 0; i < s.length() && sb.length() < MAX_TEXT; i++) {
            char c = s.charAt(i);
            sb.append(Character.isISOControl(c) ? ' ' : c);
        }
        return sb.toString().strip();
    }
}
