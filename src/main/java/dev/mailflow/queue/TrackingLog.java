package dev.mailflow.queue;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The message tracking log: JSON lines in {@code <data_dir>/logs/tracking-<yyyymmdd>.jsonl},
 * one file per UTC day, and the search behind {@code mailflow track}.
 */
public final class TrackingLog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrackingLog.class);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final String PREFIX = "tracking-";
    private static final String SUFFIX = ".jsonl";

    private final Path directory;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private Writer writer;
    private String writerDay;
    private boolean closed;

    public TrackingLog(Path directory, Clock clock) {
        this.directory = directory;
        this.clock = clock;
    }

    public Clock clock() {
        return clock;
    }

    private final java.util.List<java.util.function.Consumer<TrackingEvent>> listeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Hears every event as it is written (metrics, the web console's latest events). */
    public void listen(java.util.function.Consumer<TrackingEvent> listener) {
        listeners.add(listener);
    }

    public void write(TrackingEvent event) {
        for (var l : listeners) {
            l.accept(event);
        }
        String line;
        try {
            line = QueueJson.MAPPER.writeValueAsString(event) + "\n";
        } catch (IOException e) {
            LOG.error("cannot encode tracking event: {}", e.toString());
            return;
        }
        lock.lock();
        try {
            if (closed) {
                return;
            }
            String day = DAY.format(event.time());
            if (!day.equals(writerDay)) {
                if (writer != null) {
                    writer.close();
                }
                Files.createDirectories(directory);
                writer = new BufferedWriter(Files.newBufferedWriter(directory.resolve(PREFIX + day + SUFFIX),
                        StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND));
                writerDay = day;
            }
            writer.write(line);
            writer.flush();
        } catch (IOException e) {
            LOG.error("cannot write the tracking log: {}", e.toString());
            writer = null;
            writerDay = null;
        } finally {
            lock.unlock();
        }
    }

    private volatile ClusterTracking cluster;

    /** In a cluster: every event also goes to the shared table, and {@link #searchAll} reads that. */
    public void shareWith(ClusterTracking shared) {
        cluster = shared;
        listen(shared::record);
    }

    /** Events matching the filter since {@code since}: the whole cluster's when shared, else this node's files. */
    public List<TrackingEvent> searchAll(Instant since, Predicate<TrackingEvent> filter) throws IOException {
        var shared = cluster;
        return shared != null ? shared.search(since, filter) : search(directory, since, filter);
    }

    /** Events of messages matching the filter, oldest first, from every file since {@code since}. */
    public static List<TrackingEvent> search(Path directory, Instant since, Predicate<TrackingEvent> filter)
            throws IOException {
        var result = new ArrayList<TrackingEvent>();
        if (!Files.isDirectory(directory)) {
            return result;
        }
        String fromDay = since == null ? "" : DAY.format(since);
        var files = new ArrayList<Path>();
        try (var stream = Files.newDirectoryStream(directory, PREFIX + "*" + SUFFIX)) {
            for (Path p : stream) {
                String day = p.getFileName().toString().substring(PREFIX.length(), PREFIX.length() + 8);
                if (day.compareTo(fromDay) >= 0) {
                    files.add(p);
                }
            }
        }
        files.sort(null);
        for (Path p : files) {
            try (BufferedReader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.isBlank()) {
                        continue;
                    }
                    TrackingEvent e;
                    try {
                        e = QueueJson.MAPPER.readValue(line, TrackingEvent.class);
                    } catch (IOException ex) {
                        continue; // a torn last line after a crash
                    }
                    if ((since == null || !e.time().isBefore(since)) && filter.test(e)) {
                        result.add(e);
                    }
                }
            }
        }
        return result;
    }

    /** A date (2026-11-23), a time (2026-11-23T10:00:00Z) or a duration ago (30m, 2h, 1d). */
    public static Instant parseSince(String text) {
        try {
            return Instant.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            // next form
        }
        try {
            return LocalDate.parse(text).atStartOfDay(java.time.ZoneId.systemDefault()).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            // next form
        }
        var m = java.util.regex.Pattern.compile("(\\d{1,9})([smhd])").matcher(text.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            var d = switch (m.group(2)) {
                case "s" -> java.time.Duration.ofSeconds(n);
                case "m" -> java.time.Duration.ofMinutes(n);
                case "h" -> java.time.Duration.ofHours(n);
                default -> java.time.Duration.ofDays(n);
            };
            return Instant.now().minus(d);
        }
        throw new IllegalArgumentException("not a date, a time or a duration such as 2h");
    }

    static LocalDate day(Instant t) {
        return LocalDate.ofInstant(t, ZoneOffset.UTC);
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            if (writer != null) {
                writer.close();
            }
        } catch (IOException e) {
            LOG.warn("closing the tracking log: {}", e.toString());
        } finally {
            lock.unlock();
        }
    }
}
