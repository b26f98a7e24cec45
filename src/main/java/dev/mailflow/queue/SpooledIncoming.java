package dev.mailflow.queue;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A message being received into a spool file of its own: the part both queue stores share
 * (the content as it arrives, reading it back at the end of data, a filter's rewrite, the
 * abort). Each store makes it durable its own way in {@link #commit}: the file store as a
 * queue file with its envelope, the database store as a row.
 */
abstract class SpooledIncoming implements QueueStore.Incoming {

    private static final Logger LOG = LoggerFactory.getLogger(SpooledIncoming.class);

    protected final long id;
    protected final Path file;
    protected FileChannel channel;
    protected OutputStream out;
    protected boolean done;

    SpooledIncoming(long id, Path file, FileChannel channel) {
        this.id = id;
        this.file = file;
        this.channel = channel;
        this.out = stream(channel);
    }

    /** The stream the content goes through into {@code target} (buffered; a store may add a checksum). */
    protected OutputStream stream(FileChannel target) {
        return new BufferedOutputStream(Channels.newOutputStream(target), 16 * 1024);
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public OutputStream content() {
        return out;
    }

    @Override
    public InputStream written() throws IOException {
        out.flush();
        // Through the channel the content went in by (opened to read too): no second open.
        return new ChannelReader(channel, channel.position());
    }

    @Override
    public void rewrite(QueueStore.ContentRewriter rewriter) throws IOException {
        if (done) {
            throw new IllegalStateException("message " + id + " already ended");
        }
        Path edited = file.resolveSibling(id + ".edit");
        var target = FileChannel.open(edited, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE, StandardOpenOption.READ);
        var previous = channel;
        var previousOut = out;
        try (var current = written()) {
            channel = target;
            out = stream(target);
            rewriter.rewrite(current, out);
            out.flush();
            // Not durable yet, as the content before it: the commit makes it so.
            Files.move(edited, file, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            closeQuietly(target);
            deleteQuietly(edited);
            channel = previous;
            out = previousOut;
            throw e;
        }
        closeQuietly(previous);
    }

    /** Ends the message now; false when it had ended already (then nothing is to be done). */
    protected boolean end() {
        if (done) {
            return false;
        }
        done = true;
        return true;
    }

    /** Throws when the message has ended: a commit comes once. */
    protected void beginCommit() {
        if (!end()) {
            throw new IllegalStateException("message " + id + " already ended");
        }
    }

    @Override
    public void abort() {
        if (end()) {
            closeQuietly(channel);
            deleteQuietly(file);
        }
    }

    static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            LOG.debug("close: {}", e.toString());
        }
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("could not remove {}: {}", p, e.toString());
        }
    }
}
