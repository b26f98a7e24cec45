package dev.mailflow.directory;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;

/**
 * The answers of a directory kept in another system (a database, a directory server), as
 * Postfix's proxymap spares its tables: every answer, yes or no, is cached (Caffeine) for
 * {@code ttl}. When the store does not answer, an answer cached within {@code ttl + grace} is
 * still used; with none, the lookup throws {@link DirectoryUnavailable}. After a failure the
 * store is left alone for five seconds, so that each lookup of a session does not wait the
 * connect timeout again. One WARN a minute at most says what is down.
 *
 * <p>Shared by the PostgreSQL and the LDAP providers, so that both behave alike when their
 * store is down.
 *
 * @param <E> the store's own failure (SQLException, LDAPException); any other exception is a
 *            bug and passes through
 */
final class CachedLookups<E extends Exception> {

    private static final Duration WARN_EVERY = Duration.ofMinutes(1);
    static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    /** Asks the store. */
    interface Fetch<T, E extends Exception> {
        T fetch() throws E;
    }

    private record Entry<T>(T value, long fetchedNanos) {
    }

    private final String where;
    private final Logger log;
    private final Class<E> failure;
    private final Function<E, String> describe;
    private final long ttlNanos;
    private final long graceNanos;
    private final Cache<String, Entry<?>> cache;
    private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_EVERY.toNanos());
    /** After a failure the store is not asked again until then. */
    private volatile long downUntil = System.nanoTime();
    private volatile E lastFailure;
    private final java.util.function.Predicate<E> outage;

    /**
     * @param where    what the store is, for messages ("LDAP at ldap://127.0.0.1:389")
     * @param failure  the store's failure type
     * @param describe one line for a failure, without the library's exception text
     */
    CachedLookups(String where, Logger log, Class<E> failure, Function<E, String> describe, Duration ttl,
                  Duration grace) {
        this(where, log, failure, describe, e -> true, ttl, grace);
    }

    /**
     * @param outage whether a failure means the store is down (left alone for a moment, as
     *               after a refused connection), or only that one lookup failed (a query that
     *               does not fit the tables, a row with a bad value): then the other lookups
     *               still ask the store
     */
    CachedLookups(String where, Logger log, Class<E> failure, Function<E, String> describe,
                  java.util.function.Predicate<E> outage, Duration ttl, Duration grace) {
        this.outage = outage;
        this.where = where;
        this.log = log;
        this.failure = failure;
        this.describe = describe;
        this.ttlNanos = ttl.toNanos();
        this.graceNanos = grace.toNanos();
        this.cache = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(ttl.plus(grace)).build();
    }

    /** A cached answer when fresh; else the store's; else, while it is down, a stale one. */
    @SuppressWarnings("unchecked")
    <T> T get(String key, Fetch<T, E> fetch) {
        var entry = (Entry<T>) cache.getIfPresent(key);
        long now = System.nanoTime();
        if (entry != null && now - entry.fetchedNanos() < ttlNanos) {
            return entry.value();
        }
        E e;
        try {
            T value = uncached(fetch);
            cache.put(key, new Entry<>(value, System.nanoTime()));
            return value;
        } catch (Exception caught) {
            e = failureOf(caught);
        }
        if (entry != null && now - entry.fetchedNanos() < ttlNanos + graceNanos) {
            warn("answering from the cache", e);
            return entry.value();
        }
        if (!outage.test(e)) {
            throw new DirectoryUnavailable(where + ": a lookup failed: " + describe.apply(e), e);
        }
        throw unavailable("lookups wait (451 4.3.0)", e);
    }

    /**
     * Asks the store without the cache (a listing, a password check), unless it failed a
     * moment ago; a failure is remembered as for cached lookups.
     *
     * @throws E the store's failure, or the last one while the store is left alone
     */
    <T> T uncached(Fetch<T, E> fetch) throws E {
        if (System.nanoTime() - downUntil < 0 && lastFailure != null) {
            throw lastFailure; // it failed a moment ago: no new wait of the connect timeout per lookup
        }
        try {
            return fetch.fetch();
        } catch (Exception caught) {
            E e = failureOf(caught);
            if (!outage.test(e)) {
                if (dueForLog()) {
                    log.error("directory: a lookup in {} failed ({}): check the configured queries and the rows "
                            + "they return; this recipient waits (451 4.3.0)", where, describe.apply(e));
                }
                throw e;
            }
            if (e != lastFailure) {
                lastFailure = e;
                downUntil = System.nanoTime() + RETRY_AFTER.toNanos();
            }
            throw e;
        }
    }

    /** Logs (at most once a minute) and makes the exception that says the store is down. */
    DirectoryUnavailable unavailable(String what, E e) {
        warn(what, e);
        return new DirectoryUnavailable(where + " does not answer: " + describe.apply(e), e);
    }

    private E failureOf(Exception caught) {
        if (failure.isInstance(caught)) {
            return failure.cast(caught);
        }
        if (caught instanceof RuntimeException r) {
            throw r;
        }
        throw new IllegalStateException(caught); // a checked exception the fetch does not declare: impossible
    }

    private void warn(String what, E e) {
        if (dueForLog()) {
            log.warn("directory: {} does not answer ({}): {}", where, describe.apply(e), what);
        }
    }

    /** True at most once per {@link #WARN_EVERY}: the directory's log lines are rate-limited together. */
    private boolean dueForLog() {
        long now = System.nanoTime();
        long last = lastWarning.get();
        return now - last >= WARN_EVERY.toNanos() && lastWarning.compareAndSet(last, now);
    }
}
