package dev.mailflow.app;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The data directory of a server that has run, for the commands that only look at it or act
 * on what is there ({@code queue}, {@code track}): they never create it, so a wrong
 * {@code --config} cannot leave a {@code data/} tree behind (a server makes {@code queue/}, or
 * {@code spool/} with a shared queue, at its first start).
 */
final class ExistingDataDirectory {

    private ExistingDataDirectory() {
    }

    /** The data directory of {@code cfg}, or null after telling {@code err} there is none there. */
    static Path orReport(MailflowConfig cfg, PrintWriter err) {
        Path data = cfg.server().dataDir();
        // queue/ for the file queue, spool/ for a node of the shared queue.
        if (Files.isDirectory(data.resolve("queue")) || Files.isDirectory(data.resolve("spool"))) {
            return data;
        }
        err.println("mailflow: no Mailflow data directory at " + data.toAbsolutePath().normalize()
                + " (start 'mailflow serve' first, or give --config)");
        return null;
    }
}
