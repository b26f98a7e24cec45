package dev.mailflow.server;

import dev.mailflow.auth.AuthReport;
import dev.mailflow.auth.AuthRequest;
import dev.mailflow.auth.AuthenticationResults;
import dev.mailflow.auth.MessageAuthenticator;
import dev.mailflow.auth.dkim.DkimResult;
import dev.mailflow.auth.dmarc.DmarcOutcome;
import dev.mailflow.auth.dmarc.DmarcPolicy;
import dev.mailflow.auth.dmarc.DmarcResult;
import dev.mailflow.auth.spf.SpfOutcome;
import dev.mailflow.auth.spf.SpfResult;
import dev.mailflow.queue.AuthSummary;
import dev.mailflow.server.ConnectorConfig.SenderChecks.Mode;
import dev.mailflow.smtp.Command;
import dev.mailflow.smtp.Reply;
import java.io.IOException;
import java.io.InputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SPF, DKIM, ARC and DMARC of mail from strangers (anonymous clients outside relay_from), and
 * what the connector's {@code authentication} mode does with the results:
 *
 * <ul>
 * <li>every mode but off adds Authentication-Results (RFC 8601) at the end of data;</li>
 * <li>{@code quarantine}: SPF fail and DMARC p=reject put the message on hold;</li>
 * <li>{@code enforce}: SPF fail is refused (550 5.7.23: at MAIL, or at the end of data unless
 *     DMARC passed through aligned DKIM, as for forwarded mail), DMARC p=reject is refused
 *     (550 5.7.26);</li>
 * <li>under both, DMARC p=quarantine holds the message or marks it with X-Spam-Flag, and a DNS
 *     failure gives 451 4.7.24 (SPF) or 4.7.26 (DMARC) when temperrors are deferred.</li>
 * </ul>
 * A check that breaks never loses mail: the message is accepted without results and the error
 * logged. Mail from our own clients is not checked.
 */
final class EmailAuthentication implements PolicyHook {

    private static final Logger LOG = LoggerFactory.getLogger(EmailAuthentication.class);

    /**
     * SECURITY: the messages being checked are read into memory; together they may take at
     * most a quarter of the heap (32 MiB at least, 1 GiB at most). A session whose message does
     * not fit waits for others to finish; a message larger than the whole budget is checked
     * alone. Fifty 30 MB messages at once once took the JVM to 3 GB and out of memory.
     */
    private static final MemoryBudget MEMORY = new MemoryBudget(Math.max(32L << 20,
            Math.min(1L << 30, Runtime.getRuntime().maxMemory() / 4)));

    /** Permits of one KiB each. */
    static final class MemoryBudget {
        private final java.util.concurrent.Semaphore permits;
        private final int total;

        MemoryBudget(long octets) {
            this.total = (int) (octets >> 10);
            this.permits = new java.util.concurrent.Semaphore(total, true);
        }

        int permitsFor(long size) {
            // the content, and the copies the checks make of it (line ends, header fields)
            return (int) Math.min(total, Math.max(1, (size * 2) >> 10));
        }

        void acquire(int n) throws InterruptedException {
            permits.acquire(n);
        }

        void release(int n) {
            permits.release(n);
        }
    }

    private final MessageAuthenticator authenticator;
    private final String authservId;
    private final ServerStats stats;

    /** How long the checks at the end of data may take in all. */
    static final java.time.Duration CHECK_LIMIT = java.time.Duration.ofSeconds(30);

    private final java.time.Duration checkLimit;

    EmailAuthentication(MessageAuthenticator authenticator, String authservId, ServerStats stats) {
        this(authenticator, authservId, stats, CHECK_LIMIT);
    }

    EmailAuthentication(MessageAuthenticator authenticator, String authservId, ServerStats stats,
                        java.time.Duration checkLimit) {
        this.authenticator = authenticator;
        this.authservId = authservId;
        this.stats = stats;
        this.checkLimit = checkLimit;
    }

    private static boolean applies(SessionInfo session) {
        return session.connector().senderChecks().mode() != Mode.OFF && session.connector().anonymous()
                && !session.ownClient();
    }

    private static boolean acts(SessionInfo session) {
        var mode = session.connector().senderChecks().mode();
        return mode == Mode.QUARANTINE || mode == Mode.ENFORCE;
    }

    private static AuthRequest request(SessionInfo session, Transaction tx) {
        return new AuthRequest(session.clientAddress(), session.heloName(),
                tx.sender().isNullSender() ? "" : tx.sender().toString());
    }

    @Override
    public PolicyVerdict onMail(SessionInfo session, Transaction transaction, Command.Mail mail) {
        if (!applies(session) || !session.connector().senderChecks().spfAtMail()) {
            return PolicyVerdict.NEXT;
        }
        SpfOutcome spf;
        try {
            spf = authenticator.spf(request(session, transaction));
        } catch (RuntimeException e) {
            LOG.error("SPF check of {} failed, accepting without it", transaction.sender(), e);
            return PolicyVerdict.NEXT;
        }
        transaction.note(SpfOutcome.class, spf);
        var verdict = spfVerdict(session, spf, false);
        if (verdict instanceof PolicyVerdict.Reject || verdict instanceof PolicyVerdict.TempFail) {
            // Refused here, the message never reaches the end of data: count its SPF result now.
            stats.refusedAtMail(spf.result().word());
        }
        return verdict;
    }

    /** What the connector does with an SPF result; {@code dmarcPassed} spares an SPF fail at data. */
    private static PolicyVerdict spfVerdict(SessionInfo session, SpfOutcome spf, boolean dmarcPassed) {
        if (!acts(session)) {
            return PolicyVerdict.NEXT;
        }
        var checks = session.connector().senderChecks();
        if (spf.result() == SpfResult.FAIL && !dmarcPassed) {
            return checks.mode() == Mode.ENFORCE
                    ? new PolicyVerdict.Reject(Reply.spfFailed(spf.domain(), session.clientAddress().getHostAddress(),
                            spf.explanation().orElse(null)), Check.SPF, "fail for " + spf.domain())
                    : new PolicyVerdict.Hold("SPF fail: " + spf.reason());
        }
        if (spf.result() == SpfResult.TEMPERROR && checks.deferTempErrors()) {
            return new PolicyVerdict.TempFail(Reply.spfTemporaryError(spf.domain()), Check.SPF,
                    "temperror for " + spf.domain());
        }
        return PolicyVerdict.NEXT;
    }

    @Override
    public PolicyVerdict onEndOfData(SessionInfo session, Transaction transaction, ReceivedMessage message) {
        if (!applies(session)) {
            return PolicyVerdict.NEXT;
        }
        AuthReport report;
        int permits = MEMORY.permitsFor(message.size());
        try {
            MEMORY.acquire(permits);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return PolicyVerdict.NEXT;
        }
        var request = request(session, transaction);
        var spfDone = transaction.noted(SpfOutcome.class);
        // SECURITY: every lookup is bounded, but a message can ask for many (five keys, ARC,
        // five From domains: a minute when DNS never answers). The whole check gets a deadline.
        java.util.concurrent.FutureTask<AuthReport> check = null;
        try {
            byte[] content;
            // Read here, on the session's thread: the spool file's channel is the one the content
            // went in by, and a channel read by a thread that is interrupted (the check's deadline
            // below) is closed, which would lose the message's spool file.
            try (InputStream in = message.open()) {
                content = in.readAllBytes();
            }
            check = new java.util.concurrent.FutureTask<>(() -> authenticator.check(request, content, spfDone));
            Thread.ofVirtual().name("auth-check").start(check);
            report = check.get(checkLimit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (IOException e) {
            LOG.error("authentication checks of a message from {} could not read it, accepting without them: {}",
                    transaction.sender(), e.toString());
            return PolicyVerdict.NEXT;
        } catch (java.util.concurrent.TimeoutException e) {
            check.cancel(true);
            LOG.warn("authentication checks of a message from {} took over {} s (DNS too slow), {}",
                    transaction.sender(), checkLimit.toSeconds(), acts(session)
                            && session.connector().senderChecks().deferTempErrors() ? "deferred" : "accepted without them");
            return acts(session) && session.connector().senderChecks().deferTempErrors()
                    ? new PolicyVerdict.TempFail(Reply.checksTooSlow(), Check.DMARC,
                    "checks over " + checkLimit.toSeconds() + " s") : PolicyVerdict.NEXT;
        } catch (InterruptedException e) {
            check.cancel(true);
            Thread.currentThread().interrupt();
            return PolicyVerdict.NEXT;
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.error("authentication checks of a message from {} failed, accepting without them",
                    transaction.sender(), e.getCause());
            return PolicyVerdict.NEXT;
        } finally {
            MEMORY.release(permits);
        }
        message.addHeader(AuthenticationResults.FIELD_NAME + ": " + AuthenticationResults.value(authservId, report));
        var summary = summary(report);
        transaction.note(AuthSummary.class, summary);
        stats.authenticated(summary);
        DmarcOutcome dmarc = report.dmarc();
        if (!session.connector().senderChecks().spfAtMail()) {
            var verdict = spfVerdict(session, report.spf(), dmarc.result() == DmarcResult.PASS);
            if (!(verdict instanceof PolicyVerdict.Next)) {
                return verdict;
            }
        }
        return dmarcVerdict(session, dmarc, message);
    }

    private static PolicyVerdict dmarcVerdict(SessionInfo session, DmarcOutcome dmarc, ReceivedMessage message) {
        if (!acts(session)) {
            return PolicyVerdict.NEXT;
        }
        var checks = session.connector().senderChecks();
        if (dmarc.result() == DmarcResult.TEMPERROR && checks.deferTempErrors()) {
            return new PolicyVerdict.TempFail(Reply.dmarcTemporaryError(dmarc.fromDomain()), Check.DMARC,
                    "temperror for " + dmarc.fromDomain());
        }
        if (dmarc.result() == DmarcResult.PERMERROR && dmarc.policyDomain() == null) {
            // SECURITY: a From field DMARC will not evaluate (more domains than it checks) would
            // otherwise carry any domain past p=reject: held for the operator to judge.
            return new PolicyVerdict.Hold("DMARC could not evaluate the From field: " + dmarc.reason());
        }
        var disposition = dmarc.disposition();
        String quoted = "p=" + dmarc.policy() + (dmarc.testing() ? "; t=y, applied as p=" + disposition : "")
                + " of " + dmarc.policyDomain();
        if (disposition == DmarcPolicy.REJECT) {
            return checks.mode() == Mode.ENFORCE ? new PolicyVerdict.Reject(Reply.dmarcRejected(dmarc.fromDomain(),
                    quoted), Check.DMARC, "fail for " + dmarc.fromDomain()) : new PolicyVerdict.Hold("DMARC fail for " + dmarc.fromDomain() + " (" + quoted + ")");
        }
        if (disposition == DmarcPolicy.QUARANTINE) {
            if (checks.holdQuarantined()) {
                return new PolicyVerdict.Hold("DMARC fail for " + dmarc.fromDomain() + " (" + quoted + ")");
            }
            message.addHeader("X-Spam-Flag: YES");
            message.addHeader("X-Mailflow-Quarantine: DMARC fail for " + dmarc.fromDomain() + " (" + quoted + ")");
        }
        return PolicyVerdict.NEXT;
    }

    /** The results as the queue, tracking and console keep them. */
    static AuthSummary summary(AuthReport r) {
        var spf = r.spf();
        var dkim = r.dkim().signatures().stream().map(EmailAuthentication::dkim).toList();
        var d = r.dmarc();
        var arc = r.arc();
        return new AuthSummary(new AuthSummary.Check(spf.result().word(), spf.domain(),
                r.request().heloIdentity() ? "helo" : "mailfrom", spf.reason()), dkim,
                new AuthSummary.Check(d.result().word(), d.fromDomain(),
                        d.policy() == null ? null : "p=" + d.policy().word() + (d.testing() ? " t=y" : ""), d.reason()),
                new AuthSummary.Check(arc.result().word(), null, arc.instances() == 0 ? null : "i=" + arc.instances(),
                        arc.reason()));
    }

    private static AuthSummary.Check dkim(DkimResult r) {
        return new AuthSummary.Check(r.status().keyword(), r.domain(), r.selector() == null ? null : "s=" + r.selector(),
                r.explanation());
    }
}
