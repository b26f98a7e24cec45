package dev.mailflow.server;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
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
 */
public final class ProtocolLog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProtocolLog.class);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private final Path directory;
    private final String connector;
    private final String filePrefix;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private Writer writer;
    private String writerDay;
    private boolean failed;
    private boolean closed;

    public ProtocolLog(Path directory, String connector, Clock clock) {
        this.directory = directory;
        this.connector = connector;
        this.filePrefix = "smtp-receive-" + connector.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
        this.clock = clock;
    }

    /** The file the log writes to today. */
    public Path currentFile() {
        return directory.resolve(filePrefix + "-" + DAY.format(clock.instant()) + ".log");
    }

    void event(String session, String local, String remote, char event, String data) {
        Instant now = clock.instant();
        String record = now + "," + csv(connector) + "," + session + "," + local + "," + remote + "," + event + ","
                + csv(data) + "\n";
        lock.lock();
        try {
            if (failed || closed) {
                return;
            }
            String day = DAY.format(now);
            if (!day.equals(writerDay)) {
                closeWriter();
                Files.createDirectories(directory);
                writer = new BufferedWriter(Files.newBufferedWriter(directory.resolve(filePrefix + "-" + day + ".log"),
                        StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND));
                writerDay = day;
            }
            writer.write(record);
            writer.flush();
        } catch (IOException e) {
            failed = true;
            LOG.error("protocol log for connector '{}' stopped: {}", connector, e.toString());
        } finally {
            lock.unlock();
        }
    }

    private static String csv(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    private void closeWriter() throws IOException {
        writerDay = null;
        if (writer != null) {
            var w = writer;
            writer = null;
            w.close();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            closeWriter();
        } catch (IOException e) {
            LOG.warn("closing protocol log: {}", e.toString());
        } finally {
            lock.unlock();
        }
    }
}
