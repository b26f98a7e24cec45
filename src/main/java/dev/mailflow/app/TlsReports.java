package dev.mailflow.app;

import dev.mailflow.delivery.tls.HostPolicy;
import dev.mailflow.delivery.tls.TlsReporter;
import dev.mailflow.dns.DnsResolver;
import dev.mailflow.queue.Envelope;
import dev.mailflow.queue.EnvelopeRecipient;
import dev.mailflow.queue.QueueStore;
import dev.mailflow.queue.QueuedMessage;
import dev.mailflow.queue.TrackingEvent;
import dev.mailflow.queue.TrackingLog;
import dev.mailflow.smtp.DsnNotify;
import dev.mailflow.smtp.MailAddress;
import dev.mailflow.smtp.MailParameters;
import dev.mailflow.smtp.RcptParameters;
import dev.mailflow.tlspolicy.TrustAnchors;
import dev.mailflow.tlspolicy.tlsrpt.PolicyType;
import dev.mailflow.tlspolicy.tlsrpt.ReportLog;
import dev.mailflow.tlspolicy.tlsrpt.ReportMailer;
import dev.mailflow.tlspolicy.tlsrpt.ReportPoster;
import dev.mailflow.tlspolicy.tlsrpt.ResultType;
import dev.mailflow.tlspolicy.tlsrpt.SessionResult;
import dev.mailflow.tlspolicy.tlsrpt.TlsRptScheduler;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS-RPT (RFC 8460) in the running server: remote delivery's policy outcomes go into the day
 * journals under {@code <data_dir>/tls-rpt/}, and the scheduler mails (or posts) each day's
 * aggregate report to the domains that ask for one. A report is queued as our own message
 * (DKIM-signed like our users' mail) from {@code [tls_rpt] from}; mail from that sender is
 * never itself reported on (stalwartlabs/stalwart#1301).
 */
final class TlsReports implements TlsReporter, ReportMailer, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TlsReports.class);
    /** How often the scheduler looks for a finished day to report. */
    private static final Duration RUN_EVERY = Duration.ofMinutes(10);

    private final TlsRptConfig config;
    private final ReportLog log;
    private final QueueStore store;
    private final TrackingLog tracking;
    private final Clock clock;
    private final String hostname;
    private final Consumer<QueuedMessage> submit;
    private final TlsRptScheduler reports;
    private final AutoCloseable scheduler;
    private final ReportPoster poster;

    /** @param submit where a queued report goes to be delivered (the scheduler) */
    TlsReports(TlsRptConfig config, Path dataDir, String hostname, DnsResolver dns, Path caFile, QueueStore store,
               TrackingLog tracking, Clock clock, Consumer<QueuedMessage> submit) throws IOException {
        this.config = config;
        this.store = store;
        this.tracking = tracking;
        this.clock = clock;
        this.hostname = hostname;
        this.submit = submit;
        this.log = new ReportLog(dataDir.resolve("tls-rpt"));
        var anchors = caFile == null ? TrustAnchors.system() : TrustAnchors.withCaFile(caFile);
        this.poster = new ReportPoster(anchors.sslContext());
        this.reports = new TlsRptScheduler(log, dns, config.reporter(), this, poster, TlsRptScheduler.Timing.DEFAULT);
        this.scheduler = reports.start(clock, RUN_EVERY);
    }

    /** The {@code [tls_rpt]} section, or its defaults for a configuration made in code. */
    static TlsRptConfig of(MailflowConfig config) {
        try {
            return config.part(TlsRptSection.SECTION);
        } catch (IllegalStateException e) {
            return null;
        }
    }

    @Override
    public void success(HostPolicy.ReportedPolicy policy, String mxHost, InetAddress receivingIp) {
        success(policy, mxHost, receivingIp, null, null);
    }

    @Override
    public void success(HostPolicy.ReportedPolicy policy, String mxHost, InetAddress receivingIp,
                        InetAddress sendingIp, String mxHelo) {
        record(policy, mxHost, receivingIp, sendingIp, mxHelo, null);
    }

    @Override
    public void failure(HostPolicy.ReportedPolicy policy, String mxHost, InetAddress receivingIp, String resultType,
                        String reason) {
        failure(policy, mxHost, receivingIp, null, null, resultType, reason);
    }

    @Override
    public void failure(HostPolicy.ReportedPolicy policy, String mxHost, InetAddress receivingIp,
                        InetAddress sendingIp, String mxHelo, String resultType, String reason) {
        var type = ResultType.fromJsonName(resultType).orElse(ResultType.VALIDATION_FAILURE);
        record(policy, mxHost, receivingIp, sendingIp, mxHelo, new SessionResult.Failure(type, reason));
    }

    private void record(HostPolicy.ReportedPolicy policy, String mxHost, InetAddress ip, InetAddress sendingIp,
                        String mxHelo, SessionResult.Failure f) {
        var type = PolicyType.fromJsonName(policy.type()).orElse(PolicyType.NO_POLICY_FOUND);
        try {
            log.record(new SessionResult(clock.instant(), policy.domain(), type, policy.strings(), mxHost, mxHelo, ip,
                    sendingIp, f));
        } catch (IllegalArgumentException e) {
            // An address literal or a name TLS-RPT cannot carry: nothing to report to.
        }
    }

    @Override
    public boolean isReport(String envelopeSender) {
        return envelopeSender.equalsIgnoreCase(config.reporter().from());
    }

    @Override
    public void submit(String from, String to, byte[] message) throws IOException {
        var sender = address(from);
        var recipient = address(to);
        if (sender == null || recipient == null) {
            throw new IOException("not an address: " + (sender == null ? from : to));
        }
        var incoming = store.begin();
        try {
            incoming.content().write(message);
        } catch (IOException e) {
            incoming.abort();
            throw e;
        }
        String messageId = messageId(message);
        var envelope = new Envelope(incoming.id(), messageId, false, clock.instant(), "tls-rpt", "127.0.0.1",
                hostname, "LOCAL", sender, MailParameters.NONE,
                List.of(new EnvelopeRecipient(recipient, new RcptParameters(Set.of(DsnNotify.NEVER), null))),
                message.length, null, null, false, List.of(), null, true);
        var queued = incoming.commit(envelope);
        if (tracking != null) {
            tracking.write(new TrackingEvent(clock.instant(), "RECEIVE", queued.id(), messageId, from, List.of(to),
                    "tls-rpt", "127.0.0.1", (long) message.length, "2.6.0", "TLS-RPT report queued", null));
        }
        LOG.info("TLS-RPT: report to <{}> queued as {}", to, queued.id());
        submit.accept(queued);
    }

    /** The report's own Message-ID field (ReportMessage writes one), or a new one. */
    private String messageId(byte[] message) {
        String head = new String(message, 0, Math.min(message.length, 8192), java.nio.charset.StandardCharsets.ISO_8859_1);
        var m = java.util.regex.Pattern.compile("(?im)^Message-ID:\\s*(<[^>\\r\\n]+>)").matcher(head);
        return m.find() ? m.group(1) : "<tlsrpt-" + UUID.randomUUID() + "@" + hostname + ">";
    }

    private static MailAddress address(String text) {
        int at = text.lastIndexOf('@');
        if (at <= 0 || at == text.length() - 1) {
            return null;
        }
        return new MailAddress(text.substring(0, at), text.substring(at + 1).toLowerCase(Locale.ROOT));
    }

    /** Sends what is due now, as the scheduler's next run would (tests). */
    TlsRptScheduler.Run runNow() {
        return reports.runDue(clock.instant());
    }

    @Override
    public void close() {
        try {
            scheduler.close();
        } catch (Exception e) {
            // interrupting the thread does not fail
        }
        poster.close();
        log.close();
    }
}
