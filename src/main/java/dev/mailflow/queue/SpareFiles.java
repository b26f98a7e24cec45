package dev.mailflow.queue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Queue files of removed messages kept for new ones, in {@code queue/spare/}, as PostgreSQL
 * recycles its WAL segments: a removed message's file is renamed there instead of deleted, and
 * a new message takes one (truncated, and received where it is, so that its commit renames it
 * into {@code messages/} as it would a file of {@code incoming/}) instead of creating a file. The file system then allocates and frees no inode per message. That matters most on
 * ext4 without a journal, where every inode allocation skips, one by one, the inodes freed in
 * the last 30 seconds (the kernel's {@code recently_deleted}): with a queue file deleted for
 * each message, that scan took about a fifth of the server's CPU under load
 * (docs/performance.md, "Notes").
 *
 * <p>SAFETY: the kernel skips recently freed inodes so that a crash cannot leave an old
 * directory entry pointing at an inode that holds a new file. The same holds here: a spare file
 * is reused only once an fsync of {@code messages/} that began after its rename has completed
 * (the next commit's, {@link DirectorySync#durable}), so the message's old name is gone from the
 * disk before its inode takes new content. Until then, or when no spare is ready, a new file is
 * created as before.
 *
 * <p>At most {@link #LIMIT} files of at most {@link #MAX_SIZE} octets are kept (larger ones are
 * deleted, so spares hold at most 32 MiB of disk). A spare holds the content of a delivered
 * message until it is reused (truncated then) or the server starts again (everything in spare/
 * is deleted at start, messages being received there too: like those of incoming/, they never
 * had their 250), with the queue's permissions; nothing reads it.
 */
final class SpareFiles {

    private static final Logger LOG = LoggerFactory.getLogger(SpareFiles.class);

    static final String DIRECTORY = "spare";
    /** About the messages received between two commits' directory fsyncs, and more. */
    static final int LIMIT = 128;
    /** Larger queue files are deleted: a spare should not keep much of the disk. */
    static final long MAX_SIZE = 256 * 1024;

    private static final long PID = ProcessHandle.current().pid();

    private record Spare(Path file, long mark) {
    }

    private final Path directory;
    private final DirectorySync removedFrom;
    private final ConcurrentLinkedQueue<Spare> spares = new ConcurrentLinkedQueue<>();
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicLong names = new AtomicLong();

    /**
     * @param directory   where spares are kept (emptied now)
     * @param removedFrom the fsync of the directory the removed files leave
     * @param keep        false: removed files are deleted (a queue command's store, which ends at once)
     */
    SpareFiles(Path directory, DirectorySync removedFrom, boolean keep) {
        this.removedFrom = removedFrom;
        Path usable = directory;
        try {
            Files.createDirectories(directory);
            try (var found = Files.newDirectoryStream(directory)) {
                for (Path f : found) {
                    Files.deleteIfExists(f);
                }
            }
        } catch (IOException e) {
            // Another owner, a read-only disk: removed files are deleted, as before spares.
            LOG.warn("queue: {} not usable ({}); removed queue files are deleted instead of reused", directory,
                    e.toString());
            usable = null;
        }
        this.directory = keep ? usable : null;
    }

    /** A spare taken for a new message: it is received under the spare's name, in spare/. */
    record Reused(Path file, FileChannel channel) {
    }

    /**
     * A spare file opened empty for writing and reading, where it is (the commit renames it into
     * messages/ as it would a file of incoming/: one rename less than moving it there first),
     * or null when none is ready (then the caller creates the file).
     */
    Reused reuse() {
        Spare head = spares.peek();
        if (head == null || !removedFrom.durable(head.mark()) || !spares.remove(head)) {
            return null;
        }
        count.decrementAndGet();
        try {
            return new Reused(head.file(), FileChannel.open(head.file(), StandardOpenOption.WRITE,
                    StandardOpenOption.READ, StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
            LOG.debug("spare queue file {} not usable: {}", head.file(), e.toString());
            SpooledIncoming.deleteQuietly(head.file());
            return null;
        }
    }

    /**
     * Removes {@code file} (a committed message's, not open for writing): kept as a spare while
     * there is room (about {@link #LIMIT}: removals come from one thread, the queue's finisher,
     * and now and then an operator's command), it is small and nobody reads it ({@code beingRead},
     * asked after the rename away), else deleted.
     */
    void keepOrDelete(Path file, java.util.function.BooleanSupplier beingRead) throws IOException {
        if (directory == null || count.get() >= LIMIT || !small(file)) {
            Files.deleteIfExists(file);
            return;
        }
        // The process id too: a queue command's store may share the directory.
        Path spare = directory.resolve(PID + "." + names.incrementAndGet() + ".spare");
        try {
            Files.move(file, spare, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            return; // removed already
        } catch (IOException e) {
            LOG.debug("queue file {} not kept as a spare: {}", file, e.toString());
            Files.deleteIfExists(file);
            return;
        }
        if (beingRead.getAsBoolean()) {
            Files.deleteIfExists(spare); // open for reading: its reader keeps its content
            return;
        }
        count.incrementAndGet();
        spares.add(new Spare(spare, removedFrom.mark()));
    }

    private static boolean small(Path file) {
        try {
            return Files.size(file) <= MAX_SIZE;
        } catch (IOException e) {
            return false; // gone already, or unreadable: deleted (if there) as before
        }
    }
}
