package dev.mailflow.queue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit for directory entries: fsync of a directory, shared by every caller that
 * asked before it started. The first caller to find no fsync running does it for everyone
 * waiting; a caller that arrives during an fsync waits for the next one, because the one
 * running may have started before its rename. Each caller returns only once an fsync that
 * began after its request has completed.
 */
public final class DirectorySync {

    private final Path directory;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition done = lock.newCondition();
    private long requested;
    private long completed;
    private boolean running;
    private IOException lastFailure;
    private long failedUpTo;

    /** Kept open between fsyncs (see {@link #keptOpen}), or null. */
    private FileChannel open;
    private final boolean keepOpen;

    public DirectorySync(Path directory) {
        this(directory, false);
    }

    /**
     * @param keepOpen keep the directory open between fsyncs: no open and close a sync. Only for
     *                 a directory nobody removes while the server runs (the queue's own): a kept
     *                 descriptor of a directory removed and made again would sync the old one.
     */
    public static DirectorySync keptOpen(Path directory) {
        return new DirectorySync(directory, true);
    }

    private DirectorySync(Path directory, boolean keepOpen) {
        this.directory = directory;
        this.keepOpen = keepOpen;
    }

    public void sync() throws IOException {
        lock.lock();
        try {
            long mine = ++requested;
            while (completed < mine) {
                if (failedUpTo >= mine) {
                    throw new IOException("fsync of " + directory + " failed", lastFailure);
                }
                if (running) {
                    done.awaitUninterruptibly();
                    continue;
                }
                running = true;
                long target = requested;
                IOException failure = null;
                lock.unlock();
                try {
                    forceOnce();
                } catch (IOException e) {
                    failure = e;
                } finally {
                    lock.lock();
                    running = false;
                    if (failure == null) {
                        completed = Math.max(completed, target);
                    } else {
                        lastFailure = failure;
                        failedUpTo = Math.max(failedUpTo, target);
                    }
                    done.signalAll();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * A mark for the entries changed in the directory until now: {@link #durable} says when an
     * fsync made them durable (without asking for one).
     */
    public long mark() {
        lock.lock();
        try {
            return requested + 1;
        } finally {
            lock.unlock();
        }
    }

    /** Whether an fsync that began after {@link #mark} gave {@code mark} has completed. */
    public boolean durable(long mark) {
        lock.lock();
        try {
            return completed >= mark;
        } finally {
            lock.unlock();
        }
    }

    /** One fsync, by the sync that runs (one at a time: {@code running}). */
    private void forceOnce() throws IOException {
        if (!keepOpen) {
            force(directory);
            return;
        }
        if (open == null) {
            open = FileChannel.open(directory, StandardOpenOption.READ);
        }
        try {
            open.force(true);
        } catch (IOException e) {
            try {
                open.close();
            } catch (IOException again) {
                e.addSuppressed(again);
            }
            open = null; // opened again by the next sync
            throw e;
        }
    }

    /** fsync of a directory, so that a rename in it survives a crash (POSIX). */
    static void force(Path dir) throws IOException {
        try (var ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
