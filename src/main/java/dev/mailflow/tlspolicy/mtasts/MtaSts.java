package dev.mailflow.tlspolicy.mtasts;

import dev.mailflow.dns.DnsAnswer;
import dev.mailflow.dns.DnsNames;
import dev.mailflow.dns.DnsResolver;
import dev.mailflow.dns.TxtRecord;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MTA-STS decision for one destination domain (RFC 8461 5.1 and 10.2), made before
 * delivery connects:
 *
 * <ol>
 * <li>Look up {@code _mta-sts.<domain>} TXT ({@link MtaStsRecord}).
 * <li>A cached, unexpired policy fetched under the same id is used as it is: no fetch.
 * <li>A new id, or no usable cache: fetch the policy ({@link PolicyFetcher}) and cache it with
 *     the record's id for its max_age ({@link PolicyStore}, which survives restarts).
 * <li>The fetch fails: the cached policy if it is still valid; else no policy (3.3: deliver as
 *     if the domain had no MTA-STS). A failed fetch is not tried again for
 *     {@link #FAILURE_BACKOFF} (3.3 invites rate limits: a policy host that hangs would
 *     otherwise hold every delivery for the whole fetch timeout).
 * <li>No usable TXT record, or its lookup fails for now: a still-valid cached policy applies
 *     (3.1: absence of the record does not remove a cached policy; otherwise stripping the
 *     record would downgrade delivery); without one, no policy.
 * <li>{@code mode: none} is no policy (8.3), cached like any other so it is not fetched again.
 * </ol>
 *
 * Policies are refreshed before they expire ({@link #refreshDue(Instant)}, called now and then
 * by the application), so one that stops being fetchable keeps protecting the domain for a
 * whole max_age (10.2). Thread-safe: concurrent deliveries to one domain wait for one fetch.
 */
public final class MtaSts {

    private static final Logger LOG = LoggerFactory.getLogger(MtaSts.class);

    /** How long a failed fetch is not tried again for a domain without a usable cached policy. */
    public static final Duration FAILURE_BACKOFF = Duration.ofMinutes(5);
    /** A refresh is due when this much of max_age is left (a quarter), or a day, whichever is more. */
    static final Duration REFRESH_AHEAD_MIN = Duration.ofDays(1);

    /** The decision for a domain. */
    public sealed interface Decision permits NoPolicy, Active {
    }

    /**
     * Deliver as without MTA-STS; {@code why} in words, for tracking and the tester.
     *
     * @param fetchFailed the domain publishes a record but its policy could not be fetched (and
     *                    none is cached): TLS-RPT reports it as {@code sts-policy-fetch-error}
     */
    public record NoPolicy(String why, boolean fetchFailed) implements Decision {
        public NoPolicy(String why) {
            this(why, false);
        }
    }

    /**
     * A policy in force (mode enforce or testing).
     *
     * @param domain    the policy domain
     * @param fromCache whether it came from the cache (no fetch for this decision)
     */
    public record Active(MtaStsPolicy policy, String domain, boolean fromCache) implements Decision {
    }

    private record Failure(String id, String reason, Instant at) {
    }

    private final DnsResolver dns;
    private final PolicyFetcher fetcher;
    private final PolicyStore store;
    private final Clock clock;
    private final Map<String, CachedPolicy> cache = new ConcurrentHashMap<>();
    private final Map<String, Failure> failures = new ConcurrentHashMap<>();
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final AtomicLong fetches = new AtomicLong();

    /** Loads the policies the store holds. */
    public MtaSts(DnsResolver dns, PolicyFetcher fetcher, PolicyStore store, Clock clock) {
        this.dns = Objects.requireNonNull(dns);
        this.fetcher = Objects.requireNonNull(fetcher);
        this.store = Objects.requireNonNull(store);
        this.clock = Objects.requireNonNull(clock);
        for (var p : store.all()) {
            cache.put(p.domain(), p);
        }
    }

    /** How many fetches were made (for metrics and tests). */
    public long fetches() {
        return fetches.get();
    }

    /** The cached policy of a domain, valid or not. */
    public java.util.Optional<CachedPolicy> cached(String domain) {
        return DnsNames.normalize(domain).map(cache::get);
    }

    /** The decision for mail to {@code domain}. */
    public Decision policyFor(String domain) {
        var normalized = DnsNames.normalize(domain);
        if (normalized.isEmpty()) {
            return new NoPolicy("\"" + domain + "\" is not a domain name");
        }
        String d = normalized.get();
        Instant now = clock.instant();
        String recordName = "_mta-sts." + d;
        DnsAnswer<TxtRecord> answer = dns.txt(recordName);
        String id;
        switch (answer) {
            case DnsAnswer.TempFail<TxtRecord> t -> {
                return cachedOr(d, now, "the " + recordName + " TXT lookup failed (" + t.reason() + ")");
            }
            case DnsAnswer.NotFound<TxtRecord> n -> {
                return cachedOr(d, now, recordName + " " + n.describe());
            }
            case DnsAnswer.Found<TxtRecord> f -> {
                switch (MtaStsRecord.select(f.records())) {
                    case MtaStsRecord.Absent a -> {
                        return cachedOr(d, now, recordName + ": " + a.why());
                    }
                    case MtaStsRecord.Found r -> id = r.record().id();
                }
            }
        }
        var cached = cache.get(d);
        if (cached != null && cached.id().equals(id) && cached.validAt(now)) {
            return decide(cached, true);
        }
        var lock = locks.computeIfAbsent(d, k -> new ReentrantLock());
        lock.lock();
        try {
            // another delivery may have fetched it while this one waited
            cached = cache.get(d);
            now = clock.instant();
            if (cached != null && cached.id().equals(id) && cached.validAt(now)) {
                return decide(cached, true);
            }
            var failed = failures.get(d);
            if (failed != null && failed.id().equals(id) && now.isBefore(failed.at().plus(FAILURE_BACKOFF))) {
                return fallback(cached, now, failed.reason());
            }
            return fetchAndStore(d, id, cached, now);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Fetches a domain's policy again now, whatever the cache holds (RFC 8461 10.2's proactive
     * refresh), under the id its TXT record has now (the cached id when the record cannot be
     * read: the policy itself is authenticated by HTTPS).
     */
    public Decision refresh(String domain) {
        var normalized = DnsNames.normalize(domain);
        if (normalized.isEmpty()) {
            return new NoPolicy("\"" + domain + "\" is not a domain name");
        }
        String d = normalized.get();
        var lock = locks.computeIfAbsent(d, k -> new ReentrantLock());
        lock.lock();
        try {
            var cached = cache.get(d);
            String id = cached == null ? null : cached.id();
            if (dns.txt("_mta-sts." + d) instanceof DnsAnswer.Found<TxtRecord> f
                    && MtaStsRecord.select(f.records()) instanceof MtaStsRecord.Found r) {
                id = r.record().id();
            }
            if (id == null) {
                return new NoPolicy("_mta-sts." + d + " has no usable record and no policy is cached");
            }
            return fetchAndStore(d, id, cached, clock.instant());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Refreshes every cached policy near its end: a quarter of its max_age or a day left,
     * whichever is more; forgets the expired ones. Returns the domains it tried.
     */
    public List<String> refreshDue(Instant now) {
        var tried = new ArrayList<String>();
        for (var p : List.copyOf(cache.values())) {
            if (!p.validAt(now)) {
                forget(p);
                continue;
            }
            Duration left = Duration.between(now, p.expires());
            Duration ahead = p.policy().maxAge().dividedBy(4);
            if (ahead.compareTo(REFRESH_AHEAD_MIN) < 0) {
                ahead = REFRESH_AHEAD_MIN;
            }
            if (left.compareTo(ahead) <= 0) {
                tried.add(p.domain());
                if (refresh(p.domain()) instanceof NoPolicy n && cache.get(p.domain()) == p) {
                    LOG.info("MTA-STS policy of {} not refreshed ({}); the cached one is used until {}", p.domain(),
                            n.why(), p.expires());
                }
            }
        }
        return tried;
    }

    private void forget(CachedPolicy p) {
        var lock = locks.computeIfAbsent(p.domain(), k -> new ReentrantLock());
        lock.lock();
        try {
            if (cache.remove(p.domain(), p)) {
                store.remove(p.domain());
            }
        } catch (IOException e) {
            LOG.warn("cannot remove the expired MTA-STS policy of {}: {}", p.domain(), e.getMessage());
        } finally {
            lock.unlock();
        }
    }

    /** Called with the domain's lock held. */
    private Decision fetchAndStore(String d, String id, CachedPolicy cached, Instant now) {
        fetches.incrementAndGet();
        switch (fetcher.fetch(d)) {
            case PolicyFetcher.Fetched f -> {
                var fresh = CachedPolicy.fetchedAt(d, id, f.policy(), clock.instant());
                cache.put(d, fresh);
                failures.remove(d);
                try {
                    store.put(fresh);
                } catch (IOException e) {
                    LOG.warn("cannot keep the MTA-STS policy of {} on disk ({}); it is used from memory", d,
                            e.getMessage());
                }
                return decide(fresh, false);
            }
            case PolicyFetcher.Failed failed -> {
                failures.put(d, new Failure(id, failed.reason(), now));
                LOG.info("MTA-STS policy of {} could not be fetched: {}", d, failed.reason());
                return fallback(cached, now, failed.reason());
            }
        }
    }

    private static Decision fallback(CachedPolicy cached, Instant now, String reason) {
        if (cached != null && cached.validAt(now)) {
            return decide(cached, true);
        }
        return new NoPolicy("the policy could not be fetched (" + reason + ")"
                + (cached != null ? " and the cached one expired at " + cached.expires() : " and none is cached"), true);
    }

    private Decision cachedOr(String d, Instant now, String why) {
        var cached = cache.get(d);
        if (cached != null && cached.validAt(now)) {
            return decide(cached, true);
        }
        return new NoPolicy(why);
    }

    private static Decision decide(CachedPolicy p, boolean fromCache) {
        if (p.policy().mode() == MtaStsPolicy.Mode.NONE) {
            return new NoPolicy(p.domain() + " publishes mode: none");
        }
        return new Active(p.policy(), p.domain(), fromCache);
    }
}
