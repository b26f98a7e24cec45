package dev.mailflow.auth;

import dev.mailflow.auth.arc.ArcOutcome;
import dev.mailflow.auth.arc.ArcResult;
import dev.mailflow.auth.dkim.DkimVerification;
import dev.mailflow.auth.dmarc.DmarcOutcome;
import dev.mailflow.auth.dmarc.DmarcResult;
import dev.mailflow.auth.spf.SpfOutcome;
import dev.mailflow.auth.spf.SpfResult;
import java.util.Objects;

/**
 * Every authentication result for one message: what the server records, the tester prints,
 * and Authentication-Results renders.
 *
 * @param request the connection facts checked
 * @param spf     the SPF outcome (MAIL FROM, or HELO for the null sender)
 * @param dkim    every checked DKIM signature
 * @param dmarc   DMARC on the RFC 5322.From domain
 * @param arc     the ARC chain as received
 */
public record AuthReport(AuthRequest request, SpfOutcome spf, DkimVerification dkim, DmarcOutcome dmarc,
        ArcOutcome arc) {

    public AuthReport {
        Objects.requireNonNull(request);
        Objects.requireNonNull(spf);
        Objects.requireNonNull(dkim);
        Objects.requireNonNull(dmarc);
        Objects.requireNonNull(arc);
    }

    /**
     * Whether every check that ran passed: SPF pass (or none), every DKIM signature passed,
     * DMARC pass (or none), ARC pass (or none). The tester's exit status.
     */
    public boolean allPassed() {
        boolean spfOk = spf.result() == SpfResult.PASS || spf.result() == SpfResult.NONE;
        boolean dkimOk = dkim.signatures().stream().allMatch(r -> r.passed());
        boolean dmarcOk = dmarc.result() == DmarcResult.PASS || dmarc.result() == DmarcResult.NONE;
        boolean arcOk = arc.result() != ArcResult.FAIL;
        return spfOk && dkimOk && dmarcOk && arcOk;
    }
}
