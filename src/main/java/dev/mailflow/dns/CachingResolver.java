package dev.mailflow.dns;

import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one DNS cache, in front of any resolver: answers are kept for their TTL (capped), the
 * least recently used go first when it is full.
 *
 * <ul>
 * <li>Records: for their TTL, at most {@link Settings#maxTtl()} (a day by default).
 * <li>Negative answers (RFC 2308 5): for the SOA's TTL and minimum, the smaller, at most
 *     {@link Settings#maxNegativeTtl()} (15 minutes, so that a record just published is seen
 *     soon); not at all without a SOA.
 * <li>Temporary failures: a few seconds ({@link Settings#tempFailTtl()}, RFC 9520 3), so that a
 *     dead server is not asked again for every message while it stays dead.
 * </ul>
 *
 * A cached record answer comes back with the TTL that is left. The lock is a ReentrantLock,
 * not {@code synchronized}, so that virtual threads waiting for it do not pin their carrier.
 */
public final class CachingResolver implements DnsResolver {

    /**
     * @param maxEntries     answers kept at most
     * @param maxTtl         the longest a record answer is kept
     * @param maxNegativeTtl the longest a negative answer is kept
     * @param tempFailTtl    how long a failure is remembered (zero: not at all)
     */
    public record Settings(int maxEntries, Duration maxTtl, Duration maxNegativeTtl, Duration tempFailTtl) {
        public static final Settings DEFAULT = new Settings(10_000, Duration.ofDays(1), Duration.ofMinutes(15),
                Duration.ofSeconds(5));
    }

    private record Key(String name, int type) {
    }

    /** @param expires the end of the answer's time in the cache, in milliseconds since the epoch */
    private record Cached(DnsAnswer<?> answer, long expires) {
    }

    private final DnsResolver next;
    private final Settings settings;
    private final InstantSource clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final LinkedHashMap<Key, Cached> entries;
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();

    public CachingResolver(DnsResolver next) {
        this(next, Settings.DEFAULT, InstantSource.system());
    }

    public CachingResolver(DnsResolver next, Settings settings, InstantSource clock) {
        this.next = next;
        this.settings = settings;
        this.clock = clock;
        this.entries = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Cached> eldest) {
                return size() > settings.maxEntries();
            }
        };
    }

    /** Lookups answered from the cache and lookups passed on, since the start. */
    public record Stats(long hits, long misses, int size) {
    }

    public Stats stats() {
        lock.lock();
        try {
            return new Stats(hits.get(), misses.get(), entries.size());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public <T> DnsAnswer<T> lookup(String name, RecordType<T> type) {
        String normalized = cacheName(name);
        if (normalized == null) {
            return next.lookup(name, type);
        }
        var key = new Key(normalized, type.code());
        long now = clock.millis();
        Cached e;
        lock.lock();
        try {
            e = entries.get(key);
            if (e != null && now >= e.expires()) {
                entries.remove(key);
                e = null;
            }
        } finally {
            lock.unlock();
        }
        if (e != null) {
            hits.incrementAndGet();
            @SuppressWarnings("unchecked")
            var answer = (DnsAnswer<T>) e.answer();
            return withTtlLeft(answer, (e.expires() - now) / 1000);
        }
        misses.incrementAndGet();
        DnsAnswer<T> answer = next.lookup(name, type);
        Duration keep = keepFor(answer);
        if (keep.isPositive()) {
            long expires = clock.millis() + keep.toMillis();
            lock.lock();
            try {
                entries.put(key, new Cached(answer, expires));
            } finally {
                lock.unlock();
            }
        }
        return answer;
    }

    /**
     * The name as the cache keys it ({@link DnsNames#normalize}), or null when it is not a valid
     * name. The common case, a name already in lower-case ASCII without a final dot, is checked
     * in place, without the copies normalizing makes.
     */
    private static String cacheName(String name) {
        if (name == null || name.isEmpty() || name.length() > 253) {
            return DnsNames.normalize(name).orElse(null);
        }
        int labelStart = 0;
        for (int i = 0; i <= name.length(); i++) {
            char c = i < name.length() ? name.charAt(i) : '.';
            if (c == '.') {
                int length = i - labelStart;
                if (length == 0 || length > 63) {
                    return DnsNames.normalize(name).orElse(null); // a final dot, or a bad label
                }
                labelStart = i + 1;
            } else if (c >= 0x80 || (c >= 'A' && c <= 'Z')) {
                return DnsNames.normalize(name).orElse(null);
            }
        }
        return name;
    }

    private Duration keepFor(DnsAnswer<?> answer) {
        return switch (answer) {
            case DnsAnswer.Found<?> f -> min(f.ttl(), settings.maxTtl());
            case DnsAnswer.NotFound<?> n -> min(n.ttl(), settings.maxNegativeTtl());
            case DnsAnswer.TempFail<?> t -> settings.tempFailTtl();
        };
    }

    private static <T> DnsAnswer<T> withTtlLeft(DnsAnswer<T> answer, long secondsLeft) {
        Duration seconds = Duration.ofSeconds(Math.max(0, secondsLeft));
        return switch (answer) {
            case DnsAnswer.Found<T> f -> new DnsAnswer.Found<>(f.records(), seconds, f.authenticated());
            case DnsAnswer.NotFound<T> n -> new DnsAnswer.NotFound<>(n.kind(), seconds, n.authenticated());
            case DnsAnswer.TempFail<T> t -> t;
        };
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public String toString() {
        return next + " (cached)";
    }
}
