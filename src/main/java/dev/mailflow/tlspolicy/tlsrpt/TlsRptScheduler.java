package dev.mailflow.tlspolicy.tlsrpt;

import dev.mailflow.dns.DnsResolver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the daily aggregate reports (RFC 8460 4.1, 5): for each UTC day that has ended, for
 * each policy domain with sessions that day, the domain's TLS-RPT record is looked up and the
 * report sent to each of its destinations, by mail ({@link ReportMailer}) or HTTPS
 * ({@link ReportPoster}).
 *
 * <ul>
 * <li>When: a day's reports are due from {@code 00:00 UTC + firstDelay} the next day, each
 *     domain at its own offset within {@code spread} (a hash of submitter, domain and day, so
 *     the same after a restart): RFC 8460 4.1 asks for a delay "perhaps several hours" so that
 *     receivers are not flooded at midnight. By default 01:00 to 05:00 UTC.
 * <li>A DNS failure ({@link TlsRptLookup.TempFail}) or a destination that could not be
 *     reached is tried again at the next run; no record, or an invalid one, means nothing to
 *     send. After {@code giveUpAfter} past the day's end, what is still not sent is given up
 *     with a warning.
 * <li>A day without sessions for a domain sends that domain nothing (stalwartlabs/stalwart#923):
 *     only domains in the day's journal are considered.
 * <li>What was sent is remembered per day, domain and destination ({@link SentMarkers}), so a
 *     restart sends nothing twice; a day whose every domain is done is marked complete, and its
 *     journal is deleted {@code keepDays} days later.
 * <li>At most {@link #MAX_DESTINATIONS} destinations per domain are used (SECURITY: a record
 *     cannot make one report into hundreds of messages).
 * </ul>
 *
 * {@link #runDue} is what a periodic task calls ({@link #start} runs one on a virtual thread);
 * it never throws, and one run at a time is enforced.
 */
public final class TlsRptScheduler {

    private static final Logger LOG = LoggerFactory.getLogger(TlsRptScheduler.class);

    /** Destinations used per domain; further rua URIs are ignored. */
    public static final int MAX_DESTINATIONS = 5;

    /** How often {@link #start} runs by default. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(10);

    /**
     * When reports go out, and how long things are kept.
     *
     * @param firstDelay  after the day's end (00:00 UTC), before any report of that day
     * @param spread      the window after {@code firstDelay} over which domains are spread
     * @param giveUpAfter after the day's end, when unsent reports are given up
     * @param keepDays    how many days a complete day's journal is kept
     */
    public record Timing(Duration firstDelay, Duration spread, Duration giveUpAfter, int keepDays) {
        public static final Timing DEFAULT = new Timing(Duration.ofHours(1), Duration.ofHours(4), Duration.ofDays(2), 3);

        public Timing {
            if (firstDelay.isNegative() || spread.isNegative() || giveUpAfter.compareTo(firstDelay.plus(spread)) <= 0
                    || keepDays < 0) {
                throw new IllegalArgumentException("invalid TLS-RPT timing " + firstDelay + " " + spread + " "
                        + giveUpAfter + " " + keepDays);
            }
        }
    }

    /**
     * What one run did, in words, for the log and tests.
     *
     * @param sent     "domain day -> destination" for each report delivered
     * @param pending  "domain day: why" for each domain left for a later run
     * @param finished "domain day: why" for each domain finished without (more) reports
     */
    public record Run(List<String> sent, List<String> pending, List<String> finished) {
    }

    private final ReportLog log;
    private final SentMarkers markers;
    private final DnsResolver dns;
    private final ReporterIdentity reporter;
    private final ReportMailer mailer;
    private final ReportPoster poster;
    private final Timing timing;
    private final ReentrantLock running = new ReentrantLock();
    /** The traffic of days read and not yet complete, so each journal is read once. */
    private final Map<LocalDate, Map<String, DomainTraffic>> traffic = new HashMap<>();

    /**
     * @param log    the journal that delivery records into; the sent markers live beside it, in
     *               {@code sent/}
     * @param poster for https destinations, or null to send by mail only (https ones are given up)
     */
    public TlsRptScheduler(ReportLog log, DnsResolver dns, ReporterIdentity reporter, ReportMailer mailer,
                           ReportPoster poster, Timing timing) {
        this.log = Objects.requireNonNull(log);
        this.markers = new SentMarkers(log.directory().resolve("sent"));
        this.dns = Objects.requireNonNull(dns);
        this.reporter = Objects.requireNonNull(reporter);
        this.mailer = Objects.requireNonNull(mailer);
        this.poster = poster;
        this.timing = Objects.requireNonNull(timing);
    }

    /** Sends what is due at {@code now}; never throws (failures are logged and retried). */
    public Run runDue(Instant now) {
        var run = new Run(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        running.lock();
        try {
            LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
            for (LocalDate day : log.days()) {
                if (day.isBefore(today)) {
                    try {
                        runDay(day, today, now, run);
                    } catch (IOException | RuntimeException e) {
                        LOG.warn("TLS-RPT reports of {}: {}; trying again later", day, e.toString());
                        run.pending().add("* " + day + ": " + e);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("TLS-RPT: cannot list the journals in {}: {}", log.directory(), e.toString());
        } finally {
            running.unlock();
        }
        return new Run(List.copyOf(run.sent()), List.copyOf(run.pending()), List.copyOf(run.finished()));
    }

    private void runDay(LocalDate day, LocalDate today, Instant now, Run run) throws IOException {
        Instant dayEnd = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        if (markers.complete(day)) {
            if (day.isBefore(today.minusDays(timing.keepDays()))) {
                log.delete(day);
                markers.delete(day);
            }
            return;
        }
        if (now.isBefore(dayEnd.plus(timing.firstDelay()))) {
            return;
        }
        var domains = traffic.get(day);
        if (domains == null) {
            domains = read(day);
            traffic.put(day, domains);
        }
        boolean allDone = true;
        for (var domain : domains.values()) {
            if (!runDomain(day, dayEnd, now, domain, run)) {
                allDone = false;
            }
        }
        if (allDone) {
            markers.markComplete(day);
            traffic.remove(day);
        }
    }

    private Map<String, DomainTraffic> read(LocalDate day) throws IOException {
        var domains = new TreeMap<String, DomainTraffic>();
        int skipped = log.read(day, r -> domains.computeIfAbsent(r.policyDomain(), DomainTraffic::new).add(r));
        if (skipped > 0) {
            LOG.warn("TLS-RPT journal of {}: {} damaged line(s) skipped", day, skipped);
        }
        return domains;
    }

    /** Works on one domain of one day; true when nothing more is to be done for it. */
    private boolean runDomain(LocalDate day, Instant dayEnd, Instant now, DomainTraffic traffic, Run run)
            throws IOException {
        String domain = traffic.policyDomain();
        String label = domain + " " + day;
        var state = markers.read(day, domain);
        if (state.finished()) {
            return true;
        }
        Instant due = dayEnd.plus(timing.firstDelay()).plus(offset(day, domain));
        if (now.isBefore(due)) {
            run.pending().add(label + ": due at " + due);
            return false;
        }
        if (!now.isBefore(dayEnd.plus(timing.giveUpAfter()))) {
            String why = "given up " + timing.giveUpAfter().toHours() + " h after the day's end";
            LOG.warn("TLS-RPT report of {} for {}: {}", day, domain, why);
            markers.update(day, domain, state, null, why);
            run.finished().add(label + ": " + why);
            return true;
        }
        var lookup = TlsRptRecord.lookup(dns, domain);
        switch (lookup) {
            case TlsRptLookup.TempFail t -> {
                run.pending().add(label + ": DNS: " + t.reason());
                LOG.info("TLS-RPT report of {} for {}: cannot look up the record now ({}); trying again later",
                        day, domain, t.reason());
                return false;
            }
            case TlsRptLookup.Absent a -> {
                markers.update(day, domain, state, null, "no record: " + a.reason());
                run.finished().add(label + ": " + a.reason());
                return true;
            }
            case TlsRptLookup.Invalid i -> {
                LOG.info("TLS-RPT report of {} for {}: not sent, the record is not valid: {}", day, domain, i.reason());
                markers.update(day, domain, state, null, "invalid record: " + i.reason());
                run.finished().add(label + ": " + i.reason());
                return true;
            }
            case TlsRptLookup.Found f -> {
                return send(day, traffic, f.record(), state, now, run);
            }
        }
    }

    private boolean send(LocalDate day, DomainTraffic traffic, TlsRptRecord record, SentMarkers.State state,
                         Instant now, Run run) throws IOException {
        String domain = traffic.policyDomain();
        String label = domain + " " + day;
        var report = AggregateReport.of(reporter, day, traffic);
        var destinations = record.destinations();
        if (destinations.size() > MAX_DESTINATIONS) {
            LOG.info("TLS-RPT report of {} for {}: the record has {} destinations; the first {} are used",
                    day, domain, destinations.size(), MAX_DESTINATIONS);
            destinations = destinations.subList(0, MAX_DESTINATIONS);
        }
        boolean all = true;
        byte[] gzip = null;
        for (var destination : destinations) {
            String uri = destination.uri().toString();
            if (state.sent().contains(uri)) {
                continue;
            }
            try {
                switch (destination) {
                    case ReportDestination.Mailto m ->
                            mailer.submit(reporter.from(), m.address(), ReportMessage.build(report, m.address(), now));
                    case ReportDestination.Https h -> {
                        if (poster == null) {
                            throw new IOException("HTTPS reports are not enabled");
                        }
                        if (gzip == null) {
                            gzip = report.gzip();
                        }
                        poster.post(h.uri(), gzip);
                    }
                }
                state = markers.update(day, domain, state, uri, null);
                run.sent().add(label + " -> " + uri);
                LOG.info("TLS-RPT report {} ({} successful, {} failed sessions) sent to {}", report.reportId(),
                        report.successes(), report.failures(), uri);
            } catch (IOException e) {
                all = false;
                run.pending().add(label + " -> " + uri + ": " + e.getMessage());
                LOG.info("TLS-RPT report {} to {}: {}; trying again later", report.reportId(), uri, e.getMessage());
            }
        }
        if (all) {
            markers.update(day, domain, state, null, "sent");
        }
        return all;
    }

    /** The domain's place in the spread: the same for the same submitter, domain and day. */
    Duration offset(LocalDate day, String domain) {
        long spread = timing.spread().toSeconds();
        if (spread == 0) {
            return Duration.ZERO;
        }
        try {
            byte[] h = MessageDigest.getInstance("SHA-256")
                    .digest((reporter.submitter() + "|" + domain + "|" + day).getBytes(StandardCharsets.UTF_8));
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (h[i] & 0xff);
            }
            return Duration.ofSeconds(Math.floorMod(v, spread));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is in every JDK", e);
        }
    }

    /**
     * Runs {@link #runDue} now and then every {@code every} on a virtual thread, until the
     * returned handle is closed.
     */
    public AutoCloseable start(Clock clock, Duration every) {
        Thread thread = Thread.ofVirtual().name("tls-rpt").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                var run = runDue(clock.instant());
                if (!run.sent().isEmpty()) {
                    LOG.debug("TLS-RPT run: {}", run);
                }
                try {
                    Thread.sleep(every);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        return thread::interrupt;
    }
}
