package dev.mailflow.queue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The filesystem queue under {@code <data_dir>/queue/}. See the package documentation for
 * the layout and the commit protocol.
 *
 * <p>A message file is the content, then the envelope as JSON, then a footer of fixed length:
 * {@code "\nMAILFLOW-ENVELOPE " + 10-digit JSON length + " " + 8-hex-digit CRC-32C + "\n"}.
 * The checksum covers content and envelope. At commit the finished file is renamed into
 * {@code messages/} first and fsynced after, then the directory: one journal commit on the
 * common file systems instead of two, and still both flushed before the 250. A file that a
 * crash left in {@code messages/} before its fsync completed fails its checksum at recovery
 * and is moved to {@code corrupt/}: it was never acknowledged, and is never delivered.
 */
public final class FileQueueStore implements QueueStore {

    private static final Logger LOG = LoggerFactory.getLogger(FileQueueStore.class);
    static final String FOOTER_TAG = "\nMAILFLOW-ENVELOPE ";
    static final int FOOTER_LENGTH = FOOTER_TAG.length() + 10 + 1 + 8 + 1;

    private final Path root;
    private final Path incoming;
    private final Path messages;
    private final Map<QueueState, Path> stateDirs = new EnumMap<>(QueueState.class);
    private final Map<Path, DirectorySync> syncs = new HashMap<>();
    private final QueueIds ids = new QueueIds();
    /** Messages recovered from their status file alone, whose queue file is checked at its first load. */
    private final java.util.Set<Long> unverified = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final SpareFiles spare;
    /**
     * Messages committed by this store that never had a status file or went to corrupt/: their
     * removal is the message file alone (six lookups of files that are not there saved).
     */
    private final java.util.Set<Long> onlyMessageFile = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public FileQueueStore(Path queueRoot) throws IOException {
        this(queueRoot, true);
    }

    /**
     * @param keepSpares false for a store that ends at once (a queue command while the server is
     *                   stopped): a message it removes is deleted, not left in queue/spare/
     */
    public FileQueueStore(Path queueRoot, boolean keepSpares) throws IOException {
        this.root = queueRoot;
        this.incoming = queueRoot.resolve(QueueState.INCOMING.directory());
        this.messages = queueRoot.resolve("messages");
        Files.createDirectories(incoming);
        Files.createDirectories(messages);
        syncs.put(messages, DirectorySync.keptOpen(messages));
        this.spare = new SpareFiles(queueRoot.resolve(SpareFiles.DIRECTORY), syncs.get(messages), keepSpares);
        for (var s : QueueState.values()) {
            if (s != QueueState.INCOMING) {
                Path dir = queueRoot.resolve(s.directory());
                Files.createDirectories(dir);
                stateDirs.put(s, dir);
                syncs.put(dir, DirectorySync.keptOpen(dir));
            }
        }
    }

    public Path root() {
        return root;
    }

    Path messageFile(long id) {
        return messages.resolve(id + ".msg");
    }

    private Path statusFile(QueueState state, long id) {
        return stateDirs.get(state).resolve(id + ".json");
    }

    // ---- Receiving -----------------------------------------------------------------------

    @Override
    public Incoming begin() throws IOException {
        long id = ids.next();
        var reused = spare.reuse();
        if (reused != null) {
            return new FileIncoming(id, reused.file(), reused.channel());
        }
        Path file = incoming.resolve(id + ".tmp");
        var channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.READ);
        return new FileIncoming(id, file, channel);
    }

    private final class FileIncoming extends SpooledIncoming {

        FileIncoming(long id, Path file, FileChannel channel) {
            super(id, file, channel);
        }

        /** The content through a CRC-32C, which the footer keeps (see {@link #verify}). */
        @Override
        protected OutputStream stream(FileChannel target) {
            return new CheckedOutputStream(super.stream(target), new CRC32C());
        }

        private long crc() {
            return ((CheckedOutputStream) out).getChecksum().getValue();
        }

        @Override
        public QueuedMessage commit(Envelope envelope) throws IOException {
            beginCommit();
            Path target = messageFile(id);
            try {
                byte[] json = QueueJson.MAPPER.writeValueAsBytes(envelope);
                out.write(json);
                out.write(footer(json.length, crc()));
                out.flush();
                move(file, target);
                channel.force(true);
                channel.close();
                syncs.get(messages).sync();
                onlyMessageFile.add(id);
            } catch (IOException | RuntimeException e) {
                SpooledIncoming.closeQuietly(channel);
                SpooledIncoming.deleteQuietly(file);
                SpooledIncoming.deleteQuietly(target);
                throw e;
            }
            return new QueuedMessage(id, QueueState.ACTIVE, envelope, DeliveryStatus.initial(envelope));
        }
    }

    static byte[] footer(int jsonLength, long crc) {
        return (FOOTER_TAG + String.format("%010d %08x", jsonLength, crc) + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    // ---- Reading -------------------------------------------------------------------------

    /** The envelope and the content length of a message file. */
    private record Parsed(Envelope envelope, long contentLength) {
    }

    private Parsed parse(Path file) throws IOException {
        try (var ch = FileChannel.open(file, StandardOpenOption.READ)) {
            var footer = footer(ch, file);
            return new Parsed(envelope(ch, file, footer), footer.contentLength());
        }
    }

    /**
     * A queue file's footer ({@code MAILFLOW-ENVELOPE <length> <crc>}): the envelope's length,
     * the CRC-32C of content and envelope, and where the envelope starts.
     */
    private record Footer(int envelopeLength, long crc, long contentLength) {
    }

    private static Footer footer(FileChannel ch, Path file) throws IOException {
        long size = ch.size();
        if (size < FOOTER_LENGTH) {
            throw new CorruptMessageException(file, "too short for a queue file");
        }
        var buf = ByteBuffer.allocate(FOOTER_LENGTH);
        ch.read(buf, size - FOOTER_LENGTH);
        String f = new String(buf.array(), StandardCharsets.US_ASCII);
        if (!f.startsWith(FOOTER_TAG) || !f.endsWith("\n") || f.charAt(FOOTER_TAG.length() + 10) != ' ') {
            throw new CorruptMessageException(file, "no envelope footer");
        }
        int length;
        long crc;
        try {
            length = Integer.parseInt(f, FOOTER_TAG.length(), FOOTER_TAG.length() + 10, 10);
            crc = Long.parseLong(f, FOOTER_TAG.length() + 11, FOOTER_TAG.length() + 19, 16);
        } catch (NumberFormatException e) {
            throw new CorruptMessageException(file, "bad envelope footer");
        }
        long contentLength = size - FOOTER_LENGTH - length;
        if (length <= 0 || contentLength < 0) {
            throw new CorruptMessageException(file, "bad envelope length");
        }
        return new Footer(length, crc, contentLength);
    }

    private static Envelope envelope(FileChannel ch, Path file, Footer footer) throws IOException {
        var json = ByteBuffer.allocate(footer.envelopeLength());
        ch.read(json, footer.contentLength());
        try {
            return QueueJson.MAPPER.readValue(json.array(), Envelope.class);
        } catch (IOException e) {
            throw new CorruptMessageException(file, "unreadable envelope: " + e.getMessage());
        }
    }

    /** A queue file that cannot be read. */
    public static final class CorruptMessageException extends IOException {
        private final String reason;
        private final long size;
        private final java.time.Instant modified;

        CorruptMessageException(String message) {
            this(message, message, -1, null);
        }

        /** A file that failed a check as it was read: {@code reason} says which. */
        CorruptMessageException(Path file, String reason) {
            super(file + ": " + reason);
            this.reason = reason;
            this.size = -1;
            this.modified = null;
        }

        /** A message kept in queue/corrupt: its file's size and time, and why it was put there. */
        CorruptMessageException(String message, String reason, long size, java.time.Instant modified) {
            super(message);
            this.reason = reason;
            this.size = size;
            this.modified = modified;
        }

        /** What was wrong with the file, without its path. */
        public String reason() {
            return reason;
        }

        /** The size of the kept file in octets, or -1 when not known. */
        public long size() {
            return size;
        }

        /** When the kept file was last written, or null when not known. */
        public java.time.Instant modified() {
            return modified;
        }
    }

    @Override
    public InputStream openContent(long id) throws IOException {
        return openContent(id, parse(messageFile(id)).contentLength());
    }

    @Override
    public InputStream openContent(QueuedMessage message) throws IOException {
        return openContent(message.id(), message.envelope().size());
    }

    /**
     * Streams open on each message's file. SAFETY: a file removed while one is open is deleted,
     * never kept as a spare, so the reader (the console showing a message while it leaves, say)
     * keeps reading its own message and never another's. The count goes up before the open and
     * the removal checks it after its rename, so either the removal sees the reader or the
     * reader's open finds the file gone.
     */
    private final Map<Long, java.util.concurrent.atomic.AtomicInteger> readers =
            new java.util.concurrent.ConcurrentHashMap<>();

    private InputStream openContent(long id, long contentLength) throws IOException {
        // Counted inside compute: a close that takes the count to 0 removes it in the same step.
        readers.compute(id, (k, v) -> {
            var c = v == null ? new java.util.concurrent.atomic.AtomicInteger() : v;
            c.incrementAndGet();
            return c;
        });
        FileChannel ch;
        try {
            ch = FileChannel.open(messageFile(id), StandardOpenOption.READ);
        } catch (IOException | RuntimeException e) {
            closed(id);
            throw e;
        }
        var released = new java.util.concurrent.atomic.AtomicBoolean();
        InputStream in = new java.io.FilterInputStream(new BoundedInputStream(Channels.newInputStream(ch), contentLength)) {
            @Override
            public void close() throws IOException {
                try {
                    super.close();
                } finally {
                    if (released.compareAndSet(false, true)) {
                        closed(id);
                    }
                }
            }
        };
        return new java.io.BufferedInputStream(in, 16 * 1024);
    }

    private void closed(long id) {
        readers.computeIfPresent(id, (k, v) -> v.decrementAndGet() <= 0 ? null : v);
    }

    private boolean beingRead(long id) {
        var c = readers.get(id);
        return c != null && c.get() > 0;
    }

    @Override
    public QueuedMessage load(long id) throws IOException {
        Path file = messageFile(id);
        if (!Files.exists(file)) {
            Path kept = stateDirs.get(QueueState.CORRUPT).resolve(id + ".msg");
            if (Files.exists(kept)) {
                throw keptCorrupt(id, kept);
            }
            return null;
        }
        Envelope envelope;
        if (unverified.contains(id)) {
            // Recovered from its status alone: its checksum is checked now, at its first read.
            try {
                envelope = readVerified(file, id);
            } catch (CorruptMessageException e) {
                quarantine(id, e.reason()); // the caller reports it (the scheduler's log, the queue listing)
                throw e;
            } catch (NoSuchFileException e) {
                return null;
            }
            unverified.remove(id);
        } else {
            envelope = parse(file).envelope();
        }
        StatusFile best = null;
        for (var s : stateDirs.keySet()) {
            var sf = readStatus(s, id);
            if (sf != null && (best == null || sf.status().version() > best.status().version())) {
                best = sf;
            }
        }
        if (best == null) {
            return new QueuedMessage(id, QueueState.ACTIVE, envelope, DeliveryStatus.initial(envelope));
        }
        return new QueuedMessage(id, best.state(), envelope, best.status());
    }

    private record StatusFile(QueueState state, DeliveryStatus status) {
    }

    private StatusFile readStatus(QueueState state, long id) throws IOException {
        Path f = statusFile(state, id);
        try {
            return new StatusFile(state, QueueJson.MAPPER.readValue(Files.readAllBytes(f), DeliveryStatus.class));
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    @Override
    public List<QueuedMessage> list(QueueState state) throws IOException {
        var result = new ArrayList<QueuedMessage>();
        for (long id : messageIds()) {
            QueuedMessage m;
            try {
                m = load(id);
            } catch (CorruptMessageException e) {
                m = null;
            }
            if (m != null && (state == null || m.state() == state)) {
                result.add(m);
            }
        }
        return result;
    }

    /**
     * From the directory listings alone: no file is opened. A committed message without a
     * status file yet is active, as in {@link #countByState}.
     */
    @Override
    public List<Long> ids(QueueState state, long afterId, int limit) throws IOException {
        var found = new java.util.TreeSet<Long>();
        if (state == null) {
            found.addAll(messageIds());
            found.addAll(listedIds(QueueState.CORRUPT));
        } else if (state == QueueState.ACTIVE) {
            // Active: committed messages whose status, if any, is not in another state's directory.
            var elsewhere = new java.util.HashSet<Long>();
            for (var s : stateDirs.keySet()) {
                if (s != QueueState.CORRUPT && s != QueueState.ACTIVE) {
                    elsewhere.addAll(listedIds(s));
                }
            }
            for (long id : messageIds()) {
                if (!elsewhere.contains(id)) {
                    found.add(id);
                }
            }
        } else {
            found.addAll(listedIds(state));
        }
        var ids = new ArrayList<Long>();
        for (long id : found.tailSet(afterId, false)) {
            if (limit > 0 && ids.size() == limit) {
                break;
            }
            ids.add(id);
        }
        return ids;
    }

    /** The ids a state directory lists (status files; the corrupt directory's message files). */
    private java.util.Set<Long> listedIds(QueueState state) throws IOException {
        var set = new java.util.HashSet<Long>();
        String suffix = state == QueueState.CORRUPT ? ".msg" : ".json";
        try (var files = Files.newDirectoryStream(stateDirs.get(state), "*" + suffix)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                try {
                    set.add(Long.parseLong(name, 0, name.length() - suffix.length(), 10));
                } catch (NumberFormatException ignored) {
                    // not a queue file
                }
            }
        }
        return set;
    }

    /** From the directory listings alone: no file is opened. */
    @Override
    public Map<QueueState, Integer> countByState() throws IOException {
        var counts = new EnumMap<QueueState, Integer>(QueueState.class);
        int withStatus = 0;
        for (var e : stateDirs.entrySet()) {
            int n = 0;
            try (var files = Files.newDirectoryStream(e.getValue(), e.getKey() == QueueState.CORRUPT ? "*.msg" : "*.json")) {
                for (Path ignored : files) {
                    n++;
                }
            }
            counts.put(e.getKey(), n);
            if (e.getKey() != QueueState.CORRUPT) {
                withStatus += n;
            }
        }
        // Committed messages without a status file yet are active.
        counts.merge(QueueState.ACTIVE, Math.max(0, messageIds().size() - withStatus), Integer::sum);
        return counts;
    }

    private List<Long> messageIds() throws IOException {
        var list = new ArrayList<Long>();
        try (var files = Files.newDirectoryStream(messages, "*.msg")) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                try {
                    list.add(Long.parseLong(name.substring(0, name.length() - 4)));
                } catch (NumberFormatException e) {
                    LOG.warn("ignoring unexpected file in the queue: {}", p);
                }
            }
        }
        list.sort(Comparator.naturalOrder());
        return list;
    }

    // ---- Changing ------------------------------------------------------------------------

    @Override
    public QueuedMessage update(QueuedMessage message, QueueState state, DeliveryStatus status) throws IOException {
        if (state == QueueState.INCOMING) {
            throw new IllegalArgumentException("a committed message cannot go back to incoming");
        }
        onlyMessageFile.remove(message.id()); // before its status file exists
        var next = status.nextVersion();
        Path target = statusFile(state, message.id());
        Path tmp = stateDirs.get(state).resolve(message.id() + ".json.tmp");
        try (var ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            var bytes = ByteBuffer.wrap(QueueJson.MAPPER.writeValueAsBytes(next));
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
            ch.force(true);
        } catch (IOException e) {
            // Disk full: no empty or cut status file is left behind to wait for a restart.
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
        move(tmp, target);
        syncs.get(stateDirs.get(state)).sync();
        for (var s : stateDirs.keySet()) {
            if (s != state) {
                Files.deleteIfExists(statusFile(s, message.id()));
            }
        }
        return new QueuedMessage(message.id(), state, message.envelope(), next);
    }

    @Override
    public void remove(long id) throws IOException {
        // Message first: a crash after it leaves an orphan status, never a second delivery.
        spare.keepOrDelete(messageFile(id), () -> beingRead(id));
        if (onlyMessageFile.remove(id)) {
            return;
        }
        for (var s : stateDirs.keySet()) {
            Files.deleteIfExists(statusFile(s, id));
        }
        Files.deleteIfExists(stateDirs.get(QueueState.CORRUPT).resolve(id + ".msg"));
        Files.deleteIfExists(whyFile(id));
    }

    /** The message kept in queue/corrupt, with its file's size and time and why it is there. */
    private CorruptMessageException keptCorrupt(long id, Path kept) {
        String why = null;
        long size = -1;
        java.time.Instant modified = null;
        try {
            Path reasonFile = whyFile(id);
            if (Files.exists(reasonFile)) {
                why = Files.readString(reasonFile, StandardCharsets.UTF_8).strip();
            }
            var attributes = Files.readAttributes(kept, java.nio.file.attribute.BasicFileAttributes.class);
            size = attributes.size();
            modified = attributes.lastModifiedTime().toInstant();
        } catch (IOException | RuntimeException e) {
            LOG.debug("reading what is known of corrupt message {}: {}", id, e.toString());
        }
        if (why == null || why.isEmpty()) {
            why = "its file failed a check when it was read";
        }
        return new CorruptMessageException("message " + id + " is kept in queue/corrupt: " + why, why, size, modified);
    }

    private Path whyFile(long id) {
        return stateDirs.get(QueueState.CORRUPT).resolve(id + ".why");
    }

    /** Moves a message whose files cannot be read to the corrupt directory. */
    void quarantine(long id) {
        quarantine(id, null);
    }

    /** Moves a message whose files cannot be read to the corrupt directory, with why (for the listing). */
    void quarantine(long id, String why) {
        unverified.remove(id);
        onlyMessageFile.remove(id);
        if (!Files.exists(messageFile(id))) {
            return; // moved already (by load, which found it damaged) or removed
        }
        try {
            if (why != null) {
                // Written first: the listing finds it beside the file (a lost one only loses the reason).
                Files.writeString(whyFile(id), why + "\n", StandardCharsets.UTF_8);
            }
            move(messageFile(id), stateDirs.get(QueueState.CORRUPT).resolve(id + ".msg"));
            // Its status goes with it (kept for the operator, out of the counts and listings of
            // the states): a message is counted once, as corrupt.
            for (var s : stateDirs.keySet()) {
                if (s != QueueState.CORRUPT && Files.exists(statusFile(s, id))) {
                    move(statusFile(s, id), statusFile(QueueState.CORRUPT, id));
                }
            }
        } catch (IOException e) {
            LOG.error("could not move corrupt message {} aside: {}", id, e.toString());
        }
    }

    private volatile java.nio.file.FileStore fileStore;

    private volatile boolean noFileStore;

    @Override
    public long usableSpace() throws IOException {
        if (noFileStore) {
            return root.toFile().getUsableSpace();
        }
        var fs = fileStore;
        if (fs == null) {
            try {
                fs = Files.getFileStore(root); // parses the mount table: once
            } catch (IOException e) {
                // In a chroot or container whose root is not in the mount table ("Mount point not
                // found"): ask the file system itself (statvfs) instead of refusing all mail.
                LOG.warn("free space of {}: no file store ({}); asking the file system directly", root,
                        e.getMessage());
                noFileStore = true;
                return root.toFile().getUsableSpace();
            }
            fileStore = fs;
        }
        return fs.getUsableSpace();
    }

    // ---- Recovery ------------------------------------------------------------------------

    /**
     * Cleans up after a crash and returns every committed message. Each message's status files
     * are known from the state directories' listings; a message with a status file (deferred or
     * held: it was committed whole, fsync before its 250, before any status was written) comes
     * back from its newest status alone, and its queue file is checked when it is next loaded;
     * a message without one (never attempted, or active when the server stopped) has its queue
     * file read once, checksum and envelope together. Reading runs on a few threads, so that a
     * queue of 100,000 deferred messages comes back in seconds (docs/performance.md, "Queue
     * growth").
     */
    @Override
    public List<RecoveredMessage> recover() throws IOException {
        var result = new ArrayList<RecoveredMessage>();
        beginRecovery().run(result::add);
        return result;
    }

    /**
     * First step: removes what a crash left in {@code incoming/} and the status files of removed
     * messages, and lists the queue (directory listings only), so that new messages get ids
     * above every queued one; the second step reads the messages (see {@link #recover()}).
     */
    @Override
    public Recovery beginRecovery() throws IOException {
        try (var files = Files.newDirectoryStream(incoming)) {
            for (Path f : files) {
                LOG.info("removing incomplete incoming message {} (it was never acknowledged)", f.getFileName());
                Files.deleteIfExists(f);
            }
        }
        var messageIds = messageIds();
        var known = new java.util.HashSet<>(messageIds);
        Map<Long, java.util.Set<QueueState>> statuses = new java.util.HashMap<>();
        for (var entry : stateDirs.entrySet()) {
            if (entry.getKey() == QueueState.CORRUPT) {
                continue;
            }
            try (var files = Files.newDirectoryStream(entry.getValue())) {
                for (Path f : files) {
                    String name = f.getFileName().toString();
                    if (name.endsWith(".tmp")) {
                        Files.deleteIfExists(f);
                        continue;
                    }
                    if (!name.endsWith(".json")) {
                        continue;
                    }
                    long id;
                    try {
                        id = Long.parseLong(name, 0, name.length() - 5, 10);
                    } catch (NumberFormatException e) {
                        continue;
                    }
                    if (known.contains(id)) {
                        statuses.computeIfAbsent(id, k -> EnumSet.noneOf(QueueState.class)).add(entry.getKey());
                    } else {
                        Files.deleteIfExists(f); // the message was removed, a crash left its status
                    }
                }
            }
        }
        for (long id : messageIds) {
            ids().atLeast(id);
        }
        return found -> readRecovered(messageIds, statuses, found);
    }

    private int readRecovered(List<Long> messageIds, Map<Long, java.util.Set<QueueState>> statuses,
                              java.util.function.Consumer<RecoveredMessage> found) throws IOException {
        // Reading is mostly waiting for the disk: many reads in flight, whatever the cores.
        int threads = Math.max(8, Math.min(32, Runtime.getRuntime().availableProcessors() * 4));
        var pool = java.util.concurrent.Executors.newFixedThreadPool(threads,
                r -> Thread.ofPlatform().daemon().name("queue-recovery").unstarted(r));
        try {
            var pending = new ArrayList<java.util.concurrent.Future<RecoveredMessage>>(messageIds.size());
            for (long id : messageIds) {
                var states = statuses.getOrDefault(id, java.util.Set.of());
                pending.add(pool.submit(() -> recoverOne(id, states)));
            }
            int count = 0;
            for (var f : pending) {
                try {
                    var m = f.get();
                    if (m != null) {
                        found.accept(m);
                        count++;
                    }
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof IOException io) {
                        throw io;
                    }
                    throw new IOException("recovering the queue failed: " + e.getCause(), e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while recovering the queue");
                }
            }
            return count;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * One message after a restart, with its newest status (older ones removed): from that status
     * alone when it has one that is not active, else from its queue file, checked whole; null
     * when that file is damaged (moved to queue/corrupt).
     */
    private RecoveredMessage recoverOne(long id, java.util.Set<QueueState> states) throws IOException {
        StatusFile best = null;
        for (var s : states) {
            var sf = readStatus(s, id);
            if (sf != null && (best == null || sf.status().version() > best.status().version())) {
                best = sf;
            }
        }
        // Keep only the newest status file when a crash left two.
        for (var s : states) {
            if (best != null && s != best.state()) {
                Files.deleteIfExists(statusFile(s, id));
            }
        }
        if (best != null && best.state() != QueueState.ACTIVE) {
            unverified.add(id);
            return new RecoveredMessage(id, best.state(), best.status().nextAttempt());
        }
        try {
            readVerified(messageFile(id), id);
        } catch (NoSuchFileException e) {
            return null; // removed meanwhile (the server takes commands while it reads the queue)
        } catch (CorruptMessageException e) {
            // Most likely a crash between its rename and its fsync, before any 250; but it
            // could be damage to an acknowledged message, so keep it for the operator.
            LOG.warn("message {} is incomplete or damaged ({}): moved to queue/corrupt", id, e.getMessage());
            quarantine(id, e.reason());
            return null;
        }
        return new RecoveredMessage(id, QueueState.ACTIVE, best == null ? null : best.status().nextAttempt());
    }

    /** Whether a message file is whole: its checksum matches its content and envelope. */
    boolean verify(Path file) throws IOException {
        String name = file.getFileName().toString();
        long id = name.matches("\\d{1,19}\\.msg") ? Long.parseLong(name.substring(0, name.length() - 4)) : -1;
        try {
            readVerified(file, id);
            return true;
        } catch (CorruptMessageException e) {
            return false;
        }
    }

    /**
     * One pass over a queue file: its checksum over content and envelope, then the envelope
     * itself, which must be message {@code id}'s (-1: any). SAFETY: a queue file reused from
     * queue/spare/ whose new content had not reached the disk when the server crashed may still
     * hold the removed message's whole file, checksum and all, under the new message's name; its
     * envelope names the old message, so it goes to queue/corrupt instead of being delivered
     * again.
     */
    private static Envelope readVerified(Path file, long id) throws IOException {
        try (var ch = FileChannel.open(file, StandardOpenOption.READ)) {
            var footer = footer(ch, file);
            long end = footer.contentLength() + footer.envelopeLength();
            var crc = new CRC32C();
            var buf = ByteBuffer.allocate((int) Math.min(64 * 1024, Math.max(1, end)));
            for (long pos = 0; pos < end; ) {
                buf.clear();
                buf.limit((int) Math.min(buf.capacity(), end - pos));
                int n = ch.read(buf, pos);
                if (n <= 0) {
                    throw new CorruptMessageException(file, "shorter than its size");
                }
                buf.flip();
                crc.update(buf);
                pos += n;
            }
            if (crc.getValue() != footer.crc()) {
                throw new CorruptMessageException(file, "it fails its checksum");
            }
            var envelope = envelope(ch, file, footer);
            if (id >= 0 && envelope.internalId() != id) {
                throw new CorruptMessageException(file, "it holds message " + envelope.internalId()
                        + "'s file (a reused queue file whose new content never reached the disk)");
            }
            return envelope;
        }
    }

    QueueIds ids() {
        return ids;
    }

    // ---- Helpers -------------------------------------------------------------------------

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

}
