package dev.mailflow.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@code <data_dir>/logs} within its limits, as Exchange does with its
 * MessageTrackingLogMaxAge and MaxDirectorySize: tracking and protocol log files of days
 * older than {@code [logs] max_age} are deleted, then the oldest days go until the files
 * fit in {@code max_size}. Today's files, being written, are never deleted; files that are
 * not Mailflow's daily logs are never touched.
 */
public final class LogRetention {

    private static final Logger LOG = LoggerFactory.getLogger(LogRetention.class);
    /** {@code tracking-20261123.jsonl} and {@code smtp-receive-<connector>-20261123.log}. */
    private static final Pattern DAILY_LOG = Pattern.compile(
            "(?:tracking-|smtp-receive-[a-z0-9-]+-)(\\d{8})\\.(?:jsonl|log)");
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd", Locale.ROOT);
    /** How often a running server sweeps. */
    static final Duration INTERVAL = Duration.ofHours(1);

    private final Path directory;
    private final LogsConfig limits;
    private final Clock clock;

    public LogRetention(Path directory, LogsConfig limits, Clock clock) {
        this.directory = directory;
        this.limits = limits;
        this.clock = clock;
    }

    private record DailyLog(Path file, LocalDate day, long size) {
    }

    /** Deletes what is over the limits and returns the files it deleted. */
    public List<Path> sweep() {
        List<DailyLog> logs;
        try {
            logs = list();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            LOG.warn("cannot list the logs in {}: {}", directory, e.toString());
            return List.of();
        }
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        // A day's file is kept while any of its events is younger than max_age.
        LocalDate oldestKept = LocalDate.ofInstant(clock.instant().minus(limits.maxAge()), ZoneOffset.UTC);
        long total = logs.stream().mapToLong(DailyLog::size).sum();
        var deleted = new ArrayList<Path>();
        for (DailyLog log : logs) { // oldest first
            if (!log.day().isBefore(today)) {
                break;
            }
            boolean tooOld = log.day().isBefore(oldestKept);
            boolean overSize = total > limits.maxSize();
            if (!tooOld && !overSize) {
                break;
            }
            try {
                Files.deleteIfExists(log.file());
                deleted.add(log.file());
                total -= log.size();
                LOG.info("deleted log {} ({})", log.file().getFileName(), tooOld
                        ? "older than max_age " + limits.maxAge().toDays() + "d"
                        : "logs over max_size " + limits.maxSize() + " octets");
            } catch (IOException e) {
                LOG.warn("cannot delete log {}: {}", log.file(), e.toString());
            }
        }
        if (total > limits.maxSize()) {
            LOG.warn("logs in {} take {} octets, over max_size {}, and only today's files are left",
                    directory, total, limits.maxSize());
        }
        return deleted;
    }

    private List<DailyLog> list() throws IOException {
        var logs = new ArrayList<DailyLog>();
        try (var files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                var m = DAILY_LOG.matcher(file.getFileName().toString());
                if (!m.matches() || !Files.isRegularFile(file)) {
                    continue;
                }
                LocalDate day;
                try {
                    day = LocalDate.parse(m.group(1), DAY);
                } catch (java.time.format.DateTimeParseException e) {
                    continue;
                }
                try {
                    logs.add(new DailyLog(file, day, Files.size(file)));
                } catch (NoSuchFileException e) {
                    // deleted meanwhile
                }
            }
        }
        logs.sort(Comparator.comparing(DailyLog::day).thenComparing(DailyLog::file));
        return logs;
    }

    /** Sweeps now and then every {@link #INTERVAL} on a virtual thread, until interrupted. */
    public Thread start() {
        return Thread.ofVirtual().name("log-retention").start(() -> {
            while (true) {
                sweep();
                try {
                    Thread.sleep(INTERVAL);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }
}
