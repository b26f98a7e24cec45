package dev.mailflow.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connector's SMTP protocol log, in the spirit of Exchange's: one CSV line per event,
 * {@code date-time,connector,session,local,remote,event,data}, where event is {@code +}
 * connect, {@code -} disconnect, {@code <} received, {@code >} sent, {@code *} information.
 * Message content is never logged. One file per connector and UTC day in
 * {@code <data_dir>/logs/}.
 *
 * <p>SECURITY: what the client sent is written escaped ({@link #escape}): a CR, LF, ESC or NUL
 * from the client can neither forge a log line nor send escape sequences to the terminal of
 * whoever reads the log.
 *
 * <p>A failed write (disk full) never leaves a cut line: the file is cut back to its last
 * whole line. The log then pauses and tries again at the first event after
 * {@code retryAfter}; when writing works again it says how many events it could not write.
 */
public final class ProtocolLog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProtocolLog.class);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    /** How long a failed log waits before it tries to write again. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    private final Path directory;
    private final String connector;
    private final String filePrefix;
    private final Clock clock;
    private final Duration retryAfter;
    private final ReentrantLock lock = new ReentrantLock();
    private FileChannel channel;
    private String channelDay;
    /** The length of the file up to its last whole line. */
    private long wholeLength;
    /** When writing failed, the time to try again; null while writing works. */
    private Instant retryAt;
    private long lost;
    private boolean closed;

    public ProtocolLog(Path directory, String connector, Clock clock) {
        this(directory, connector, clock, RETRY_AFTER);
    }

    ProtocolLog(Path directory, String connector, Clock clock, Duration retryAfter) {
        this.directory = directory;
        this.connector = connector;
        this.filePrefix = "smtp-receive-" + connector.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
        this.clock = clock;
        this.retryAfter = retryAfter;
    }

    /** The file the log writes to today. */
    public Path currentFile() {
        return directory.resolve(filePrefix + "-" + DAY.format(clock.instant()) + ".log");
    }

    void event(String session, String local, String remote, char event, String data) {
        Instant now = clock.instant();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            if (retryAt != null && now.isBefore(retryAt)) {
                lost++;
                return;
            }
            if (retryAt != null && lost > 0) {
                write(now, record(now, "", "", "", '*', "protocol log resumed: " + lost
                        + " events could not be written (" + reason + ")"));
            }
            write(now, record(now, session, local, remote, event, data));
            if (retryAt != null) {
                LOG.info("protocol log for connector '{}' resumed; {} events were not written", connector, lost);
                retryAt = null;
                lost = 0;
            }
        } catch (IOException e) {
            lost++;
            if (retryAt == null) {
                reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                LOG.error("protocol log for connector '{}' paused, trying again every {} s: {}", connector,
                        retryAfter.toSeconds(), reason);
            }
            retryAt = now.plus(retryAfter);
        } finally {
            lock.unlock();
        }
    }

    private String reason = "";

    private String record(Instant now, String session, String local, String remote, char event, String data) {
        return now + "," + csv(escape(connector)) + "," + session + "," + local + "," + remote + "," + event + ","
                + csv(escape(data)) + "\n";
    }

    /** Appends one whole line, or cuts the file back to its last whole line and throws. */
    private void write(Instant now, String record) throws IOException {
        String day = DAY.format(now);
        if (channel == null || !day.equals(channelDay)) {
            closeChannel();
            Files.createDirectories(directory);
            channel = FileChannel.open(directory.resolve(filePrefix + "-" + day + ".log"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            channelDay = day;
            wholeLength = channel.size();
        }
        var bytes = ByteBuffer.wrap(record.getBytes(StandardCharsets.UTF_8));
        try {
            channel.position(wholeLength);
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            wholeLength += bytes.capacity();
        } catch (IOException e) {
            try {
                channel.truncate(wholeLength);
            } catch (IOException again) {
                e.addSuppressed(again);
            }
            closeChannel();
            throw e;
        }
    }

    /**
     * What the client sent, made safe to show: control characters (C0, DEL, C1), line and
     * paragraph separators and bidirectional overrides as {@code \xHH} or {@code \\uHHHH}, and
     * the backslash doubled, so that the escaped text reads back unambiguously.
     */
    static String escape(String s) {
        int i = 0;
        while (i < s.length() && !needsEscape(s.charAt(i))) {
            i++;
        }
        if (i == s.length()) {
            return s;
        }
        var sb = new StringBuilder(s.length() + 16).append(s, 0, i);
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!needsEscape(c)) {
                sb.append(c);
            } else if (c == '\\') {
                sb.append("\\\\");
            } else if (c < 0x100) {
                sb.append(String.format(Locale.ROOT, "\\x%02X", (int) c));
            } else {
                sb.append(String.format(Locale.ROOT, "\\u%04X", (int) c));
            }
        }
        return sb.toString();
    }

    private static boolean needsEscape(char c) {
        return c < 0x20 || c == 0x7f || c == '\\' || (c >= 0x80 && c <= 0x9f) || c == 0x2028 || c == 0x2029
                || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
    }

    private static String csv(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    private void closeChannel() {
        channelDay = null;
        if (channel != null) {
            var c = channel;
            channel = null;
            try {
                c.close();
            } catch (IOException e) {
                LOG.debug("closing protocol log: {}", e.toString());
            }
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            closeChannel();
        } finally {
            lock.unlock();
        }
    }
}
