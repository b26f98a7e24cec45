package dev.mailflow.tlspolicy.mtasts;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MTA-STS policy cache on disk, so that it survives restarts (RFC 8461 5.1, 10.2: a cached
 * policy is what protects a domain when an attacker strips its TXT record). One file per policy
 * domain, named after it, in a directory of its own ({@code <data dir>/mta-sts/}):
 *
 * <pre>
 * mailflow-mta-sts 1
 * domain: example.com
 * id: 20160831085700Z
 * fetched: 2026-05-01T10:00:00Z
 * expires: 2026-05-08T10:00:00Z
 *
 * version: STSv1
 * ...the policy as fetched
 * </pre>
 *
 * Written to a temporary file, forced to disk and renamed over the old one, so a crash leaves
 * the old file or the new one, never half of one. A file that cannot be read (corrupt, a
 * policy that no longer parses, a name that is not its domain's) is ignored with a warning:
 * the next delivery fetches the policy again. Thread-safe for distinct domains; the caller
 * ({@link MtaSts}) serializes writes of one domain.
 */
public final class PolicyStore {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyStore.class);
    private static final String MAGIC = "mailflow-mta-sts 1";
    private static final String SUFFIX = ".policy";
    /** Normalized A-label names only: nothing that could leave the directory. */
    private static final Pattern FILE_DOMAIN = Pattern.compile("[a-z0-9_](?:[a-z0-9_-]{0,62})(?:\\.[a-z0-9_](?:[a-z0-9_-]{0,62}))*");

    private final Path dir;

    public PolicyStore(Path dir) {
        this.dir = dir;
    }

    public Path directory() {
        return dir;
    }

    /** The cached policy of a domain (normalized), if a readable one is on disk. */
    public Optional<CachedPolicy> get(String domain) {
        if (!FILE_DOMAIN.matcher(domain).matches()) {
            return Optional.empty();
        }
        return read(file(domain));
    }

    /** Every readable cached policy. */
    public List<CachedPolicy> all() {
        var out = new ArrayList<CachedPolicy>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path f : files) {
                read(f).ifPresent(out::add);
            }
        } catch (IOException e) {
            LOG.warn("cannot list the MTA-STS policy cache {}: {}", dir, e.getMessage());
        }
        return out;
    }

    /**
     * Writes a policy, replacing the domain's old one atomically.
     *
     * @throws IOException when the directory or file cannot be written
     */
    public void put(CachedPolicy cached) throws IOException {
        if (!FILE_DOMAIN.matcher(cached.domain()).matches()) {
            throw new IOException("\"" + cached.domain() + "\" is not a normalized domain name");
        }
        Files.createDirectories(dir);
        String text = MAGIC + "\n" + "domain: " + cached.domain() + "\n" + "id: " + cached.id() + "\n" + "fetched: "
                + cached.fetched() + "\n" + "expires: " + cached.expires() + "\n\n" + cached.policy().text();
        Path target = file(cached.domain());
        Path temp = Files.createTempFile(dir, "." + cached.domain() + ".", ".tmp");
        try {
            try (var ch = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
                ch.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            forceDirectory();
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Forgets a domain's policy. */
    public void remove(String domain) throws IOException {
        if (FILE_DOMAIN.matcher(domain).matches()) {
            Files.deleteIfExists(file(domain));
        }
    }

    private Path file(String domain) {
        return dir.resolve(domain + SUFFIX);
    }

    private Optional<CachedPolicy> read(Path file) {
        String text;
        try {
            if (Files.size(file) > HttpsPolicyFetcher.MAX_BODY + 4096) {
                return corrupt(file, "larger than a policy can be");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return corrupt(file, e.getMessage());
        }
        int blank = text.indexOf("\n\n");
        if (!text.startsWith(MAGIC + "\n") || blank < 0) {
            return corrupt(file, "not a Mailflow MTA-STS cache file");
        }
        String[] head = text.substring(MAGIC.length() + 1, blank).split("\n");
        if (head.length != 4 || !head[0].startsWith("domain: ") || !head[1].startsWith("id: ")
                || !head[2].startsWith("fetched: ") || !head[3].startsWith("expires: ")) {
            return corrupt(file, "its header is not domain, id, fetched, expires");
        }
        String domain = head[0].substring(8);
        if (!file.getFileName().toString().equals(domain + SUFFIX)) {
            return corrupt(file, "it holds the policy of " + domain);
        }
        String id = head[1].substring(4);
        if (!(MtaStsRecord.parse("v=STSv1; id=" + id) instanceof MtaStsRecord.Found)) {
            return corrupt(file, "its id is not valid");
        }
        Instant fetched;
        Instant expires;
        try {
            fetched = Instant.parse(head[2].substring(9));
            expires = Instant.parse(head[3].substring(9));
        } catch (DateTimeParseException e) {
            return corrupt(file, "a time in it is not valid");
        }
        return switch (MtaStsPolicy.parse(text.substring(blank + 2))) {
            case MtaStsPolicy.Valid v -> Optional.of(new CachedPolicy(domain, id, v.policy(), fetched, expires));
            case MtaStsPolicy.Invalid i -> corrupt(file, "its policy is not valid: " + i.reason());
        };
    }

    private static Optional<CachedPolicy> corrupt(Path file, String why) {
        LOG.warn("ignoring the MTA-STS cache file {}: {}; the policy will be fetched again", file, why);
        return Optional.empty();
    }

    private void forceDirectory() {
        try (var ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not every file system lets a directory be opened; the rename is done either way
        }
    }
}
