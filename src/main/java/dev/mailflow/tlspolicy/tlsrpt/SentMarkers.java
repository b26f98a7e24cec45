package dev.mailflow.tlspolicy.tlsrpt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the scheduler has done for each day and policy domain, kept so that a restart sends no
 * report twice: {@code <dir>/<YYYY-MM-DD>/<domain>} lists the destinations a report reached
 * ({@code sent <uri>}) and, once nothing more is to be done, {@code done <why>};
 * {@code <dir>/<YYYY-MM-DD>/.complete} marks a day whose every domain is done. Each file is
 * replaced whole (written, synced, renamed), so a crash leaves the old state or the new one.
 */
final class SentMarkers {

    private static final String COMPLETE = ".complete";

    /** A domain's state: the destinations reached, and whether it is finished (with why). */
    record State(Set<String> sent, String done) {
        static final State NEW = new State(Set.of(), null);

        boolean finished() {
            return done != null;
        }
    }

    private final Path dir;

    SentMarkers(Path dir) {
        this.dir = dir;
    }

    State read(LocalDate day, String domain) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file(day, domain), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return State.NEW;
        }
        var sent = new LinkedHashSet<String>();
        String done = null;
        for (String line : lines) {
            if (line.startsWith("sent ")) {
                sent.add(line.substring(5));
            } else if (line.startsWith("done ")) {
                done = line.substring(5);
            }
        }
        return new State(Set.copyOf(sent), done);
    }

    /** Adds a destination reached; {@code done} non-null finishes the domain. */
    State update(LocalDate day, String domain, State old, String sentTo, String done) throws IOException {
        var sent = new LinkedHashSet<>(old.sent());
        if (sentTo != null) {
            sent.add(sentTo);
        }
        var state = new State(Set.copyOf(sent), done != null ? done : old.done());
        var text = new StringBuilder();
        for (String s : sent) {
            text.append("sent ").append(s).append('\n');
        }
        if (state.done() != null) {
            text.append("done ").append(state.done().replace('\n', ' ')).append('\n');
        }
        write(file(day, domain), text.toString());
        return state;
    }

    boolean complete(LocalDate day) {
        return Files.exists(dayDir(day).resolve(COMPLETE));
    }

    void markComplete(LocalDate day) throws IOException {
        write(dayDir(day).resolve(COMPLETE), "complete\n");
    }

    /** Forgets a day (its journal is gone, so it cannot be sent again). */
    void delete(LocalDate day) throws IOException {
        Path d = dayDir(day);
        if (!Files.isDirectory(d)) {
            return;
        }
        var files = new ArrayList<Path>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(d)) {
            stream.forEach(files::add);
        }
        for (Path f : files) {
            Files.deleteIfExists(f);
        }
        Files.deleteIfExists(d);
    }

    private Path dayDir(LocalDate day) {
        return dir.resolve(day.toString());
    }

    /** Policy domains are A-label LDH names ({@link SessionResult}), safe as file names. */
    private Path file(LocalDate day, String domain) {
        if (!domain.matches("[a-z0-9][a-z0-9._-]*")) {
            throw new IllegalArgumentException("not a file-safe domain: " + domain);
        }
        return dayDir(day).resolve(domain);
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (var channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            var buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
