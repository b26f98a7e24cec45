package dev.mailflow.tlspolicy.tlsrpt;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The day's TLS session results, kept for the aggregate reports of RFC 8460 4.1 (one report
 * per policy domain per UTC day). Delivery threads call {@link #record}; the
 * {@link TlsRptScheduler} reads a day once it has ended.
 *
 * <p>How it is kept: one journal per UTC day, {@code <dir>/YYYY-MM-DD.jsonl}, one JSON line per
 * session ({@link JournalLine}), appended with one write under a lock and without fsync: a
 * report is best effort, and a crash loses at most the lines the kernel had not written. What
 * a crash can leave is a torn last line; it is skipped on reading, and the next start begins
 * its first line on a fresh line so that no later entry is glued to it. A day's journal stops
 * growing at {@link #DEFAULT_MAX_DAY_BYTES} (a warning is logged once): the report then
 * undercounts rather than filling the disk.
 *
 * <p>{@link #record} never throws: a disk error is logged (once until a write succeeds again)
 * and the result dropped, as delivery must not fail for a report.
 */
public final class ReportLog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReportLog.class);

    /** Largest journal of one day, 512 MiB: about two million sessions. */
    public static final long DEFAULT_MAX_DAY_BYTES = 512L * 1024 * 1024;

    private static final String SUFFIX = ".jsonl";

    private final Path dir;
    private final long maxDayBytes;
    private final ReentrantLock lock = new ReentrantLock();
    private LocalDate openDay;
    private FileChannel open;
    private long openSize;
    private boolean failing;
    private boolean fullWarned;

    /** Keeps the journals in {@code dir} (created when missing), e.g. {@code <data dir>/tls-rpt}. */
    public ReportLog(Path dir) throws IOException {
        this(dir, DEFAULT_MAX_DAY_BYTES);
    }

    public ReportLog(Path dir, long maxDayBytes) throws IOException {
        this.dir = dir;
        this.maxDayBytes = maxDayBytes;
        Files.createDirectories(dir);
    }

    public Path directory() {
        return dir;
    }

    /**
     * Appends one session's result to the journal of its UTC day. Fast (one small write) and
     * safe from any thread; never throws.
     */
    public void record(SessionResult result) {
        byte[] line = JournalLine.encode(result);
        LocalDate day = LocalDate.ofInstant(result.time(), ZoneOffset.UTC);
        lock.lock();
        try {
            if (!day.equals(openDay)) {
                switchTo(day);
            }
            if (openSize + line.length > maxDayBytes) {
                if (!fullWarned) {
                    LOG.warn("TLS-RPT journal {} reached {} octets; further sessions of {} are not counted",
                            journal(day), maxDayBytes, day);
                    fullWarned = true;
                }
                return;
            }
            var buffer = ByteBuffer.wrap(line);
            while (buffer.hasRemaining()) {
                open.write(buffer);
            }
            openSize += line.length;
            failing = false;
        } catch (IOException | RuntimeException e) {
            if (!failing) {
                LOG.warn("TLS-RPT journal {}: cannot record a session result: {}", journal(day), e.toString());
                failing = true;
            }
            closeOpen();
        } finally {
            lock.unlock();
        }
    }

    private void switchTo(LocalDate day) throws IOException {
        closeOpen();
        Path file = journal(day);
        boolean tornEnd = endsTorn(file);
        var channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        try {
            if (tornEnd) {
                // A torn last line (a crash mid-write) ends here, so the next entry starts on its own line.
                channel.write(ByteBuffer.wrap(new byte[] {'\n'}));
            }
            open = channel;
            openDay = day;
            openSize = channel.size();
            fullWarned = false;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Whether the file exists and its last octet is not a newline. */
    private static boolean endsTorn(Path file) throws IOException {
        try (var channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size == 0) {
                return false;
            }
            var last = ByteBuffer.allocate(1);
            channel.read(last, size - 1);
            return last.get(0) != '\n';
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private void closeOpen() {
        if (open != null) {
            try {
                open.close();
            } catch (IOException e) {
                // nothing was buffered: the writes already reached the kernel
            }
        }
        open = null;
        openDay = null;
    }

    /** The journal file of a day. */
    Path journal(LocalDate day) {
        return dir.resolve(day + SUFFIX);
    }

    /** The days that have a journal, oldest first. */
    public List<LocalDate> days() throws IOException {
        var days = new ArrayList<LocalDate>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                try {
                    days.add(LocalDate.parse(name.substring(0, name.length() - SUFFIX.length())));
                } catch (DateTimeParseException e) {
                    // another file, not a journal
                }
            }
        }
        days.sort(null);
        return days;
    }

    /**
     * Gives each valid entry of a day's journal to {@code each}, in order, and returns how many
     * lines were skipped as invalid (a torn last line, damage). A day without a journal has
     * none.
     */
    public int read(LocalDate day, Consumer<SessionResult> each) throws IOException {
        int skipped = 0;
        try (var reader = new BufferedReader(new InputStreamReader(Files.newInputStream(journal(day)),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isEmpty()) {
                    continue;
                }
                var entry = JournalLine.decode(line);
                if (entry.isPresent()) {
                    each.accept(entry.get());
                } else {
                    skipped++;
                }
            }
        } catch (NoSuchFileException e) {
            return 0;
        }
        return skipped;
    }

    /** Deletes a day's journal (after its reports are sent). */
    public void delete(LocalDate day) throws IOException {
        lock.lock();
        try {
            if (day.equals(openDay)) {
                closeOpen();
            }
            Files.deleteIfExists(journal(day));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closeOpen();
        } finally {
            lock.unlock();
        }
    }
}
