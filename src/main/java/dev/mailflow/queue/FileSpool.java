package dev.mailflow.queue;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The filesystem spool: {@code <data_dir>/queue/<state>/<id>.eml} and {@code <id>.json}.
 * See the package documentation for the commit protocol.
 */
public final class FileSpool implements MessageSpool {

    private static final Logger LOG = LoggerFactory.getLogger(FileSpool.class);
    /** Envelopes as JSON: record components only, no derived getters. */
    static final ObjectMapper JSON = JsonMapper.builder().findAndAddModules()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .visibility(PropertyAccessor.GETTER, JsonAutoDetect.Visibility.NONE)
            .visibility(PropertyAccessor.IS_GETTER, JsonAutoDetect.Visibility.NONE)
            .visibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
            .build();

    private final Path root;
    private final Path incoming;
    private final Path active;
    private final AtomicLong lastId = new AtomicLong();

    public FileSpool(Path queueRoot) throws IOException {
        this.root = queueRoot;
        for (var state : QueueState.values()) {
            Files.createDirectories(queueRoot.resolve(state.directory()));
        }
        this.incoming = dir(QueueState.INCOMING);
        this.active = dir(QueueState.ACTIVE);
        removeIncomplete();
    }

    /** Reads a committed message's envelope. */
    public Envelope readEnvelope(long id) throws IOException {
        return JSON.readValue(active.resolve(id + ".json").toFile(), Envelope.class);
    }

    public Path dir(QueueState state) {
        return root.resolve(state.directory());
    }

    /** Incoming files never got a 250: they are removed at start. */
    private void removeIncomplete() throws IOException {
        try (var files = Files.list(incoming)) {
            for (var f : (Iterable<Path>) files::iterator) {
                LOG.info("removing incomplete incoming file {}", f.getFileName());
                Files.deleteIfExists(f);
            }
        }
    }

    /**
     * Queue ids grow with time (microseconds since the epoch, at least one more than the
     * last), so they are unique across restarts and sort by arrival.
     */
    long nextId() {
        long now = System.currentTimeMillis() * 1000;
        return lastId.updateAndGet(last -> Math.max(last + 1, now));
    }

    @Override
    public Incoming begin() throws IOException {
        long id = nextId();
        Path file = incoming.resolve(id + ".eml");
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new FileIncoming(id, file, channel);
    }

    private final class FileIncoming implements Incoming {
        private final long id;
        private final Path file;
        private final FileChannel channel;
        private final OutputStream out;
        private boolean done;

        FileIncoming(long id, Path file, FileChannel channel) {
            this.id = id;
            this.file = file;
            this.channel = channel;
            this.out = new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024);
        }

        @Override
        public long internalId() {
            return id;
        }

        @Override
        public OutputStream content() {
            return out;
        }

        @Override
        public void commit(Envelope envelope) throws IOException {
            if (done) {
                throw new IllegalStateException("message " + id + " already ended");
            }
            done = true;
            Path content = active.resolve(id + ".eml");
            Path env = active.resolve(id + ".json");
            Path envTmp = incoming.resolve(id + ".json");
            try {
                out.flush();
                channel.force(true);
                channel.close();
                try (var envChannel = FileChannel.open(envTmp, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE)) {
                    envChannel.write(java.nio.ByteBuffer.wrap(JSON.writeValueAsBytes(envelope)));
                    envChannel.force(true);
                }
                move(file, content);
                move(envTmp, env);
                syncDirectory(active);
                syncDirectory(incoming);
            } catch (IOException | RuntimeException e) {
                deleteQuietly(file);
                deleteQuietly(envTmp);
                deleteQuietly(env);
                deleteQuietly(content);
                throw e;
            }
        }

        @Override
        public void abort() {
            if (done) {
                return;
            }
            done = true;
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("closing aborted message {}", id, e);
            }
            deleteQuietly(file);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    /** fsync of a directory, so a rename in it survives a crash (POSIX; a no-op elsewhere). */
    static void syncDirectory(Path dir) throws IOException {
        try (var ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            if (!System.getProperty("os.name", "").toLowerCase().contains("win")) {
                throw e;
            }
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("could not remove {}: {}", p, e.toString());
        }
    }
}
