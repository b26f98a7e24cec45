package dev.mailflow.server.limits;

import java.io.BufferedWriter;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The greylist: (client network, sender, recipient) triplets, when each was first seen and
 * whether it passed. A new triplet waits {@code delay}; a retry after the delay and within the
 * retry window passes it, and a passed triplet is remembered for {@code expiry} after it was
 * last seen. State survives a restart through a journal (one line per first sighting and per
 * pass, appended), compacted when the store opens: expired triplets are dropped, a line that
 * cannot be read is skipped and counted, never a failure to start. A lost journal only means
 * senders are greylisted once more.
 *
 * <p>At most {@code maxEntries} triplets are kept; beyond that, new triplets pass unlisted
 * (logged): a flood must not exhaust memory, and greylisting errs towards delivering mail.
 */
public final class Greylist implements Triplets, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Greylist.class);

    /** The triplets kept at most. */
    public static final int DEFAULT_MAX_ENTRIES = 1_000_000;
    /** A passed triplet's last sighting is written again only after this long. */
    private static final Duration REFRESH = Duration.ofDays(1);

    /** What the greylist says of one attempt. */
    public sealed interface Decision {
        record Pass() implements Decision {
        }

        /** Try again in {@code seconds}. */
        record Wait(long seconds) implements Decision {
        }
    }

    private static final class Entry {
        long firstSeen;
        long passed;
        long lastSeen;
    }

    /**
     * A triplet as stored: when first seen, when it passed (0: not yet), when last seen
     * (epoch milliseconds).
     */
    public record Seen(long firstSeen, long passed, long lastSeen) {
    }

    /**
     * What one attempt decides, and what to store: {@code next} is the triplet's new state,
     * {@code write} whether it must be written (a pass refreshed within a day is not).
     */
    public record Step(Decision decision, Seen next, boolean write) {
    }

    /**
     * The greylisting rule alone, for any store: {@code seen} is the triplet's state, or null
     * when it is new (or forgotten).
     */
    public static Step step(Seen seen, long at, Duration delay, Duration retryWindow, Duration expiry) {
        if (seen != null && seen.passed() != 0) {
            if (at - seen.lastSeen() <= expiry.toMillis()) {
                return new Step(new Decision.Pass(), new Seen(seen.firstSeen(), seen.passed(), at),
                        at - seen.lastSeen() >= REFRESH.toMillis());
            }
            seen = null;
        }
        if (seen != null) {
            long waited = at - seen.firstSeen();
            if (waited >= delay.toMillis() && waited <= delay.toMillis() + retryWindow.toMillis()) {
                return new Step(new Decision.Pass(), new Seen(seen.firstSeen(), at, at), true);
            }
            if (waited < delay.toMillis()) {
                return new Step(new Decision.Wait(Math.max(1, (delay.toMillis() - waited + 999) / 1000)), seen, false);
            }
        }
        return new Step(new Decision.Wait(Math.max(1, (delay.toMillis() + 999) / 1000)), new Seen(at, 0, at), true);
    }

    private final Map<String, Entry> entries = new HashMap<>();
    private final Path journal;
    private final int maxEntries;
    private BufferedWriter writer;
    private boolean fullWarned;

    private Greylist(Path journal, int maxEntries) {
        this.journal = journal;
        this.maxEntries = maxEntries;
    }

    /**
     * The greylist kept in this journal file (created when missing), with triplets passed
     * longer than {@code expiry} ago and unpassed ones older than {@code retryWindow} plus a
     * day dropped.
     *
     * @param journal null for a greylist in memory only (tests)
     */
    public static Greylist open(Path journal, Instant now, Duration expiry, int maxEntries) throws IOException {
        var greylist = new Greylist(journal, maxEntries);
        if (journal != null) {
            greylist.load(now, expiry);
        }
        return greylist;
    }

    private void load(Instant now, Duration expiry) throws IOException {
        Files.createDirectories(journal.toAbsolutePath().getParent());
        int unreadable = 0;
        if (Files.exists(journal)) {
            for (String line : Files.readAllLines(journal, StandardCharsets.UTF_8)) {
                String[] f = line.split(" ", 3);
                try {
                    if (f.length != 3 || !(f[0].equals("F") || f[0].equals("P"))) {
                        throw new IllegalArgumentException(line);
                    }
                    long at = Long.parseLong(f[1]);
                    String key = URLDecoder.decode(f[2], StandardCharsets.UTF_8);
                    var e = entries.computeIfAbsent(key, k -> new Entry());
                    if (f[0].equals("F")) {
                        e.firstSeen = at;
                        e.passed = 0;
                    } else {
                        e.passed = e.passed == 0 ? at : e.passed;
                    }
                    e.lastSeen = Math.max(e.lastSeen, at);
                } catch (IllegalArgumentException e) {
                    unreadable++;
                }
            }
        }
        long cutoff = now.toEpochMilli() - expiry.toMillis();
        entries.values().removeIf(e -> e.lastSeen < cutoff);
        if (unreadable > 0) {
            LOG.warn("greylist {}: {} line(s) could not be read and were skipped", journal, unreadable);
        }
        // Compacted: one line per triplet kept, written aside and moved over the old journal.
        Path tmp = journal.resolveSibling(journal.getFileName() + ".tmp");
        try (var out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            for (var entry : entries.entrySet()) {
                String key = URLEncoder.encode(entry.getKey(), StandardCharsets.UTF_8);
                var e = entry.getValue();
                out.write("F " + e.firstSeen + " " + key + "\n");
                if (e.passed != 0) {
                    out.write("P " + e.lastSeen + " " + key + "\n");
                }
            }
        }
        try {
            Files.move(tmp, journal, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, journal, StandardCopyOption.REPLACE_EXISTING);
        }
        writer = Files.newBufferedWriter(journal, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    /**
     * Decides one attempt of a triplet and remembers it.
     *
     * @param delay       how long a new triplet waits
     * @param retryWindow how long after the delay a retry still passes; later, it starts over
     * @param expiry      how long a passed triplet is remembered after it was last seen
     */
    @Override
    public synchronized Decision check(String triplet, Instant now, Duration delay, Duration retryWindow,
                                       Duration expiry) {
        long at = now.toEpochMilli();
        var e = entries.get(triplet);
        if (e == null && entries.size() >= maxEntries) {
            if (!fullWarned) {
                LOG.warn("greylist full ({} triplets): new triplets pass without greylisting until old ones expire",
                        maxEntries);
                fullWarned = true;
            }
            return new Decision.Pass();
        }
        var step = step(e == null ? null : new Seen(e.firstSeen, e.passed, e.lastSeen), at, delay, retryWindow, expiry);
        if (e == null) {
            e = new Entry();
            entries.put(triplet, e);
        }
        e.firstSeen = step.next().firstSeen();
        e.passed = step.next().passed();
        e.lastSeen = step.next().lastSeen();
        if (step.write()) {
            append(step.next().passed() != 0 ? "P" : "F", at, triplet);
        }
        return step.decision();
    }

    private void append(String kind, long at, String triplet) {
        if (writer == null) {
            return;
        }
        try {
            writer.write(kind + " " + at + " " + URLEncoder.encode(triplet, StandardCharsets.UTF_8) + "\n");
            writer.flush();
        } catch (IOException e) {
            LOG.warn("greylist {}: cannot write ({}); the triplet is kept in memory only", journal, e.toString());
        }
    }

    /** Triplets known now. */
    public synchronized int size() {
        return entries.size();
    }

    @Override
    public synchronized void close() {
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException e) {
                LOG.debug("greylist {}: closing: {}", journal, e.toString());
            }
            writer = null;
        }
    }
}
