package dev.mailflow.auth.dmarc;

import java.util.List;

/**
 * What a DMARC evaluation found.
 *
 * @param result       the DMARC result
 * @param fromDomain   the RFC 5322.From domain evaluated, or null when there was none usable
 * @param policyDomain the domain whose _dmarc record applied (the From domain or one found by
 *                     the tree walk), or null when none was found
 * @param orgDomain    the organizational domain (RFC 9989 tree walk), or null
 * @param policy       the policy that applies to this message (p=, or sp=/np= for a
 *                     subdomain), or null when no record was found
 * @param testing      the record says t=y: the owner tests its policy (see {@link #disposition()})
 * @param record       the DMARC record as published, or "" when none
 * @param spfAligned   an SPF pass whose domain aligns with the From domain
 * @param dkimAligned  a DKIM pass whose d= aligns with the From domain
 * @param reason       one sentence for a person: why the result is what it is
 * @param trace        the steps taken (records asked for, alignment checks), one line each
 */
public record DmarcOutcome(DmarcResult result, String fromDomain, String policyDomain, String orgDomain,
        DmarcPolicy policy, boolean testing, String record, boolean spfAligned, boolean dkimAligned,
        String reason, List<String> trace) {

    public DmarcOutcome {
        trace = List.copyOf(trace);
        record = record == null ? "" : record;
    }

    /**
     * The policy the receiver should apply: NONE unless the result is fail. With t=y the
     * owner tests its policy and expects one level less (RFC 9989 4.7, "t"): reject becomes
     * quarantine, quarantine becomes none.
     */
    public DmarcPolicy disposition() {
        if (result != DmarcResult.FAIL || policy == null) {
            return DmarcPolicy.NONE;
        }
        if (!testing) {
            return policy;
        }
        return policy == DmarcPolicy.REJECT ? DmarcPolicy.QUARANTINE : DmarcPolicy.NONE;
    }

    /** The record as parsed (tags, rua=, ruf=, notes), or empty when no record applied. */
    public java.util.Optional<DmarcRecord> parsedRecord() {
        return record.isEmpty() ? java.util.Optional.empty() : DmarcRecord.parse(record);
    }
}
