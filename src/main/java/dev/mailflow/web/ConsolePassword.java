package dev.mailflow.web;

import dev.mailflow.server.auth.Passwords;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's admin password, in one place: {@code [web] password} when the config sets it,
 * else a bcrypt hash kept in {@code <data_dir>/web/admin-password.hash}, made (and shown once)
 * at first start and replaced by {@code mailflow passwd --web}. The running console reads the
 * file again when it changes, so a new password works without a restart.
 */
public final class ConsolePassword {

    private static final Logger LOG = LoggerFactory.getLogger(ConsolePassword.class);

    private final Path file;
    private volatile String hash;
    private volatile FileTime modified;

    private ConsolePassword(Path file, String hash, FileTime modified) {
        this.file = file;
        this.hash = hash;
        this.modified = modified;
    }

    /** Where the hash is kept when {@code [web] password} is not set. */
    public static Path file(Path dataDir) {
        return dataDir.resolve("web").resolve("admin-password.hash");
    }

    /**
     * The configured password, else the kept hash, else a new password whose hash is kept and
     * which {@code announce} is told, once.
     */
    static ConsolePassword load(WebConfig web, Path dataDir, Consumer<String> announce) throws IOException {
        if (web.password() != null) {
            return new ConsolePassword(null, web.password(), null);
        }
        Path f = file(dataDir);
        if (!Files.exists(f)) {
            byte[] random = new byte[10];
            new SecureRandom().nextBytes(random);
            String password = HexFormat.of().formatHex(random);
            write(dataDir, Passwords.hash(password.toCharArray()));
            announce.accept(password);
        }
        return new ConsolePassword(f, Files.readString(f).strip(), Files.getLastModifiedTime(f));
    }

    /** Keeps a new hash for the console (written whole, readable by this user only). */
    public static void write(Path dataDir, String hash) throws IOException {
        Path f = file(dataDir);
        Files.createDirectories(f.getParent());
        Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp);
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not POSIX: the directory's rights apply
        }
        Files.writeString(tmp, hash + "\n");
        try {
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Whether {@code password} is the admin password now. */
    boolean matches(String password) {
        return Passwords.matches(current(), password);
    }

    /** The stored form now: the file's, read again when it has changed. */
    String current() {
        if (file != null) {
            try {
                var m = Files.getLastModifiedTime(file);
                if (!m.equals(modified)) {
                    hash = Files.readString(file).strip();
                    modified = m;
                    LOG.info("web console password changed ({})", file);
                }
            } catch (IOException e) {
                LOG.warn("cannot read the web console password {}: {}; the last one read still applies", file,
                        e.toString());
            }
        }
        return hash;
    }
}
