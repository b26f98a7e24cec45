package dev.mailflow.delivery.local;

import dev.mailflow.delivery.TraceHeaders;
import dev.mailflow.directory.Mailbox;
import dev.mailflow.queue.DeliveryAgent;
import dev.mailflow.queue.DeliveryCodes;
import dev.mailflow.queue.DeliveryOutcome;
import dev.mailflow.queue.DirectorySync;
import dev.mailflow.queue.Envelope;
import dev.mailflow.smtp.MailAddress;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZoneId;
import java.util.HexFormat;
import java.util.Locale;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes one copy of a message into one mailbox. See the package documentation. */
public final class MaildirDelivery implements LocalDelivery {

    private static final Logger LOG = LoggerFactory.getLogger(MaildirDelivery.class);

    private final Path mailboxesRoot;
    private final String hostname;
    private final ZoneId zone;
    /** Maildirs created (or seen) already: no need to create them again. */
    private final java.util.Set<Path> knownMaildirs = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.ConcurrentHashMap<Path, DirectorySync> newDirSyncs =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** new/ directories with renames not yet flushed. */
    private final java.util.Set<Path> unsynced = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** fsync of every new/ directory written to since the last call: deliveries become durable. */
    @Override
    public void sync() throws IOException {
        for (var it = unsynced.iterator(); it.hasNext(); ) {
            Path dir = it.next();
            it.remove();
            try {
                newDirSyncs.computeIfAbsent(dir, DirectorySync::new).sync();
            } catch (IOException e) {
                unsynced.add(dir);
                throw e;
            }
        }
    }

    /** The Maildir++ size field of a file name (Courier, Dovecot). */
    static final String SIZE_TAG = ",S=";

    /** From this many copies of one message on, one file is linked into every mailbox (0: never). */
    private final int linkFrom;

    public MaildirDelivery(Path mailboxesRoot, String hostname, ZoneId zone) {
        this(mailboxesRoot, hostname, zone, 0);
    }

    public MaildirDelivery(Path mailboxesRoot, String hostname, ZoneId zone, int linkFrom) {
        this.mailboxesRoot = mailboxesRoot;
        this.hostname = hostname;
        this.zone = zone;
        this.linkFrom = linkFrom;
    }

    /** {@code <root>/<domain>/<local>}, with characters a file name cannot hold encoded. */
    public Path maildir(MailAddress mailbox) {
        return mailboxesRoot.resolve(safeName(dev.mailflow.smtp.Domains.canonical(mailbox.domain())))
                .resolve(safeName(mailbox.unquotedLocalPart().toLowerCase(Locale.ROOT)));
    }

    /** Percent-encodes '/', '%', NUL and a leading dot, so a local part stays one directory. */
    static String safeName(String s) {
        var sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '/' || c == '%' || c == '\\' || c < 32 || (i == 0 && c == '.')) {
                sb.append('%').append(String.format("%02X", (int) c & 0xff));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** The file name of this message's copy in this mailbox: queue id, mailbox hash, host. */
    String fileName(long queueId, MailAddress mailbox) {
        return copyPrefix(queueId, mailbox) + hostname.replace('/', '_').replace(':', '_');
    }

    /**
     * What every name of this message's copy in this mailbox starts with, whatever the host
     * name was when it was written: {@code <queue id>.M<12 hex of the mailbox's SHA-256>.}.
     */
    static String copyPrefix(long queueId, MailAddress mailbox) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(mailbox.key().getBytes(StandardCharsets.UTF_8));
            return queueId + ".M" + HexFormat.of().formatHex(h, 0, 6) + ".";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public java.util.Map<Integer, DeliveryOutcome> deliver(Envelope envelope, java.util.List<Copy> copies,
                                                          DeliveryAgent.Content content, boolean mayBeDelivered) {
        var outcomes = new java.util.HashMap<Integer, DeliveryOutcome>();
        if (linkFrom > 0 && copies.size() >= linkFrom) {
            return deliverLinked(envelope, copies, content, mayBeDelivered);
        }
        for (var c : copies) {
            outcomes.put(c.index(), deliver(envelope, c.original(), c.mailbox(), content, mayBeDelivered));
        }
        return outcomes;
    }

    /**
     * Many copies of one message: the message is written once, with trace headers that name
     * no single recipient (no Delivered-To, a Received without "for"), made durable, and then
     * hard-linked into each mailbox's new/ under that mailbox's own name (so the check after a
     * crash finds each copy as it finds a written one). A mailbox on another file system, or
     * one where the link fails, gets a copy of its own, written as usual. The quota of each
     * mailbox is checked as for a written copy.
     */
    private java.util.Map<Integer, DeliveryOutcome> deliverLinked(Envelope envelope, java.util.List<Copy> copies,
                                                                  DeliveryAgent.Content content, boolean mayBeDelivered) {
        var outcomes = new java.util.HashMap<Integer, DeliveryOutcome>();
        byte[] headers = TraceHeaders.forSharedLocalDelivery(envelope, hostname, zone).getBytes(StandardCharsets.UTF_8);
        long size = headers.length + envelope.size();
        var todo = new java.util.ArrayList<Copy>();
        var dirs = new java.util.HashMap<Integer, Path>();
        for (var c : copies) {
            MailAddress address = c.mailbox().address();
            try {
                Path dir = maildir(address);
                ensureMaildir(dir);
                var found = mayBeDelivered ? foundAfterRestart(envelope, address, dir) : null;
                if (found != null) {
                    outcomes.put(c.index(), found);
                    continue;
                }
                var full = quotaExceeded(c.mailbox(), dir, size);
                if (full != null) {
                    outcomes.put(c.index(), full);
                    continue;
                }
                dirs.put(c.index(), dir);
                todo.add(c);
            } catch (InvalidPathException | IOException e) {
                // The usual path says what is wrong with this one.
                outcomes.put(c.index(), deliver(envelope, c.original(), c.mailbox(), content, mayBeDelivered));
            }
        }
        if (todo.isEmpty()) {
            return outcomes;
        }
        Path firstDir = dirs.get(todo.get(0).index());
        Path shared = firstDir.resolve("tmp").resolve(fileName(envelope.internalId(), todo.get(0).mailbox().address()));
        long written;
        try {
            written = writeDurably(shared, headers, content);
        } catch (IOException e) {
            LOG.warn("delivery of {} (one file for {} mailboxes) failed: {}", envelope.internalId(), todo.size(),
                    e.toString());
            for (var c : todo) {
                outcomes.put(c.index(), deliver(envelope, c.original(), c.mailbox(), content, mayBeDelivered));
            }
            return outcomes;
        }
        try {
            for (var c : todo) {
                MailAddress address = c.mailbox().address();
                Path dir = dirs.get(c.index());
                Path target = dir.resolve("new").resolve(fileName(envelope.internalId(), address) + SIZE_TAG + written);
                try {
                    Files.createLink(target, shared);
                    unsynced.add(dir.resolve("new"));
                    outcomes.put(c.index(), new DeliveryOutcome.Delivered("delivered to maildir "
                            + mailboxesRoot.relativize(dir) + " (hard link: one file for " + todo.size() + " mailboxes)"));
                } catch (IOException | UnsupportedOperationException e) {
                    // Another file system (EXDEV), or links not allowed there: a copy of its own.
                    LOG.debug("no hard link into {}: {}", dir, e.toString());
                    outcomes.put(c.index(), deliver(envelope, c.original(), c.mailbox(), content, mayBeDelivered));
                }
            }
        } finally {
            try {
                Files.deleteIfExists(shared);
            } catch (IOException e) {
                LOG.warn("could not remove {}: {}", shared, e.toString());
            }
        }
        return outcomes;
    }

    /**
     * After a crash: this message's copy in this mailbox, if an earlier attempt delivered it
     * (as Delivered), else null; a copy an earlier attempt left half-written in tmp/ (perhaps
     * under another host name) goes.
     */
    private DeliveryOutcome foundAfterRestart(Envelope envelope, MailAddress address, Path dir) throws IOException {
        String prefix = copyPrefix(envelope.internalId(), address);
        removeCopies(dir.resolve("tmp"), prefix);
        if (alreadyDelivered(dir.resolve("new"), dir.resolve("cur"), prefix)) {
            return new DeliveryOutcome.Delivered("delivered to maildir " + mailboxesRoot.relativize(dir)
                    + " (copy found after restart)");
        }
        return null;
    }

    private void ensureMaildir(Path dir) throws IOException {
        if (!knownMaildirs.contains(dir)) {
            Files.createDirectories(dir.resolve("tmp"));
            Files.createDirectories(dir.resolve("new"));
            Files.createDirectories(dir.resolve("cur"));
            knownMaildirs.add(dir);
        }
    }

    /** The outcome when {@code size} more octets would go over the mailbox's quota, else null. */
    private static DeliveryOutcome quotaExceeded(Mailbox mailbox, Path dir, long size) throws IOException {
        if (mailbox.quota() <= 0) {
            return null;
        }
        long used = usage(dir.resolve("new")) + usage(dir.resolve("cur"));
        if (used + size <= mailbox.quota()) {
            return null;
        }
        return new DeliveryOutcome.Deferred(DeliveryCodes.MAILBOX_FULL, "Mailbox full: " + mailbox.address() + " holds "
                + used + " of " + mailbox.quota() + " octets, the message needs " + size);
    }

    /** Writes the headers and the content to {@code file} and forces it to disk: the octets written. */
    private static long writeDurably(Path file, byte[] headers, DeliveryAgent.Content content) throws IOException {
        long written;
        try (var ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
             OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 16 * 1024);
             InputStream in = content.open()) {
            out.write(headers);
            written = headers.length + in.transferTo(out);
            out.flush();
            ch.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        return written;
    }

    /**
     * Delivers one copy.
     *
     * @param original       the recipient as given in RCPT (for the Received header)
     * @param mayBeDelivered check first whether a copy is already there (after a crash)
     */
    public DeliveryOutcome deliver(Envelope envelope, MailAddress original, Mailbox mailbox,
                                   DeliveryAgent.Content content, boolean mayBeDelivered) {
        return deliverOnce(envelope, original, mailbox, content, mayBeDelivered, true);
    }

    private DeliveryOutcome deliverOnce(Envelope envelope, MailAddress original, Mailbox mailbox,
                                        DeliveryAgent.Content content, boolean mayBeDelivered, boolean again) {
        MailAddress address = mailbox.address();
        Path dir;
        try {
            dir = maildir(address);
        } catch (InvalidPathException e) {
            // The JVM names files by its locale: under a POSIX one a UTF-8 mailbox has no name.
            return new DeliveryOutcome.Deferred(DeliveryCodes.LOCAL_ERROR, "the mailbox " + address
                    + " cannot be a directory name in " + System.getProperty("sun.jnu.encoding")
                    + "; start Mailflow with LC_ALL=C.UTF-8");
        }
        String name = fileName(envelope.internalId(), address);
        try {
            Path newDir = dir.resolve("new");
            ensureMaildir(dir);
            var found = mayBeDelivered ? foundAfterRestart(envelope, address, dir) : null;
            if (found != null) {
                return found;
            }
            byte[] headers = TraceHeaders.forLocalDelivery(envelope, hostname, original, address, zone)
                    .getBytes(StandardCharsets.UTF_8);
            var full = quotaExceeded(mailbox, dir, headers.length + envelope.size());
            if (full != null) {
                return full;
            }
            Path file = dir.resolve("tmp").resolve(name);
            long written = writeDurably(file, headers, content);
            // Maildir++ ",S=<size>": readers (Dovecot) and the quota check know the size without a stat.
            Files.move(file, newDir.resolve(name + SIZE_TAG + written), StandardCopyOption.ATOMIC_MOVE);
            // The fsync of new/ comes with sync(), once for many deliveries.
            unsynced.add(newDir);
            return new DeliveryOutcome.Delivered("delivered to maildir " + mailboxesRoot.relativize(dir));
        } catch (IOException e) {
            boolean wasKnown = knownMaildirs.remove(dir); // perhaps removed under us: create it again
            if (again && wasKnown && e instanceof java.nio.file.NoSuchFileException) {
                // The Maildir was removed under us (an operator, a reader): made again, at once.
                return deliverOnce(envelope, original, mailbox, content, mayBeDelivered, false);
            }
            LOG.warn("delivery of {} to {} failed: {}", envelope.internalId(), address, e.toString());
            String reason = e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : e instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason()
                    : "an I/O error (the server log has the details)";
            boolean full = reason.contains("No space left");
            return new DeliveryOutcome.Deferred(full ? DeliveryCodes.STORAGE_FULL : DeliveryCodes.LOCAL_ERROR,
                    (full ? "Insufficient system storage: " : "cannot write to the mailbox: ") + reason);
        }
    }

    /**
     * Whether this message's copy is in the mailbox already: in new/ as
     * {@code <prefix><host>,S=<size>}, or moved to cur/ by a reader, which adds
     * {@code :2,<flags>} (Maildir spec; Dovecot does). The trace headers, the size and the host
     * name may differ from one attempt to the next (a restart with another hostname, headers
     * that carry the time of the attempt), so only the prefix, queue id and mailbox, says
     * whether it was delivered.
     */
    static boolean alreadyDelivered(Path newDir, Path cur, String prefix) throws IOException {
        return containsCopy(newDir, prefix) || containsCopy(cur, prefix);
    }

    private static void removeCopies(Path dir, String prefix) throws IOException {
        try (var found = Files.newDirectoryStream(dir, p -> p.getFileName().toString().startsWith(prefix))) {
            for (Path p : found) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static boolean containsCopy(Path dir, String prefix) throws IOException {
        try (var found = Files.newDirectoryStream(dir, p -> p.getFileName().toString().startsWith(prefix))) {
            return found.iterator().hasNext();
        }
    }

    /** The octets of the messages in {@code dir}: from their ",S=" tags, else from the files. */
    static long usage(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.mapToLong(MaildirDelivery::messageSize).sum();
        }
    }

    /** The size a Maildir++ file name gives ({@code 1234.M5.host,S=4521:2,S}), else the file's size. */
    static long messageSize(Path file) {
        String name = file.getFileName().toString();
        int tag = name.indexOf(SIZE_TAG);
        if (tag > 0) {
            int start = tag + SIZE_TAG.length();
            int end = start;
            while (end < name.length() && end - start < 19 && Character.isDigit(name.charAt(end))) {
                end++;
            }
            if (end > start) {
                return Long.parseLong(name, start, end, 10);
            }
        }
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0; // moved or deleted by a reader meanwhile
        }
    }
}
