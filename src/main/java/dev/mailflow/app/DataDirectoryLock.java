package dev.mailflow.app;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on {@code <data_dir>/mailflow.lock}: one server per data directory, and
 * the queue CLI works on the files directly only while no server holds it.
 */
final class DataDirectoryLock implements AutoCloseable {

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirectoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock, or null when another process holds it. */
    static DataDirectoryLock tryAcquire(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        var ch = FileChannel.open(dataDir.resolve("mailflow.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        try {
            var l = ch.tryLock();
            if (l == null) {
                ch.close();
                return null;
            }
            return new DataDirectoryLock(ch, l);
        } catch (OverlappingFileLockException e) {
            ch.close();
            return null;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
