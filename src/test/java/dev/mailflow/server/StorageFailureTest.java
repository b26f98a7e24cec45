package dev.mailflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.queue.Envelope;
import dev.mailflow.queue.InMemoryQueueStore;
import dev.mailflow.queue.QueueStore;
import dev.mailflow.queue.QueuedMessage;
import dev.mailflow.testing.ExternalTool;
import dev.mailflow.testing.SmtpTestClient;
import dev.mailflow.testing.TestServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disk full and spool failures: 452 4.3.1 at MAIL while space is short, 451 4.3.0 when the
 * message cannot be made durable, never a 250, nothing half-written left.
 */
class StorageFailureTest {

    @TempDir
    Path dir;

    /** An in-memory queue whose writes or commits can be made to fail. */    private static QueueStore failing(InMemoryQueueStore inner, AtomicBoolean failWrites, AtomicBoolean failCommit,
                                      AtomicInteger aborted) {
        return new QueueStore() {
            @Override
            public Incoming begin() throws IOException {
                var in = inner.begin();
                return new Incoming() {
                    @Override
                    public long id() {
                        return in.id();
                    }

                    @Override
                    public OutputStream content() {
                        return new java.io.FilterOutputStream(in.content()) {
                            @Override
                            public void write(byte[] b, int off, int len) throws IOException {
                                if (failWrites.get()) {
                                    throw new IOException("No space left on device");
                                }
                                out.write(b, off, len);
                            }
                        };
                    }

                    @Override
                    public java.io.InputStream written() throws IOException {
                        return in.written();
                    }

                    @Override
                    public void rewrite(QueueStore.ContentRewriter rewriter) throws IOException {
                        if (failWrites.get()) {
                            throw new IOException("No space left on device");
                        }
                        in.rewrite(rewriter);
                    }

                    @Override
                    public QueuedMessage commit(Envelope envelope) throws IOException {
                        if (failCommit.get()) {
                            aborted.incrementAndGet();
                            throw new IOException("fsync failed: Input/output error");
                        }
                        return in.commit(envelope);
                    }

                    @Override
                    public void abort() {
                        aborted.incrementAndGet();
                        in.abort();
                    }
                };
            }

            @Override
            public List<dev.mailflow.queue.RecoveredMessage> recover() {
                return inner.recover();
            }

            @Override
            public List<QueuedMessage> list(dev.mailflow.queue.QueueState state) {
                return inner.list(state);
            }

            @Override
            public QueuedMessage load(long id) {
                return inner.load(id);
            }

            @Override
            public java.io.InputStream openContent(long id) throws IOException {
                return inner.openContent(id);
            }

            @Override
            public QueuedMessage update(QueuedMessage m, dev.mailflow.queue.QueueState s,
                                        dev.mailflow.queue.DeliveryStatus st) throws IOException {
                return inner.update(m, s, st);
            }

            @Override
            public void remove(long id) {
                inner.remove(id);
            }

            @Override
            public long usableSpace() {
                return inner.usableSpace();
            }
        };
    }

    @Test
    void injectedFaults() throws Exception {
        var inner = new InMemoryQueueStore();
        var failWrites = new AtomicBoolean();
        var failCommit = new AtomicBoolean();
        var aborted = new AtomicInteger();
        var config = TestServer.config(List.of(), List.of()).server();
        try (var server = MailServer.start(config, failing(inner, failWrites, failCommit, aborted), null, m -> { },
                Clock.systemDefaultZone(), dev.mailflow.dns.Zone.builder().build());
             var c = new SmtpTestClient(server.connector(TestServer.FRONTEND).boundAddress().getPort())) {
            c.reply();
            c.send("EHLO contoso.com");

            inner.setUsableSpace(config.minFreeSpace() - 1);
            assertThat(c.send("MAIL FROM:<chris@contoso.com>")).containsExactly("452 4.3.1 Insufficient system storage");
            inner.setUsableSpace(Long.MAX_VALUE);

            c.send("MAIL FROM:<chris@contoso.com>");
            c.send("RCPT TO:<kate@fabrikam.com>");
            c.send("DATA");
            failWrites.set(true);
            assertThat(c.send("Subject: lost\r\n\r\n" + ("y".repeat(900) + "\r\n").repeat(100) + "."))
                    .containsExactly("451 4.3.0 Local error in processing, please try again later");
            failWrites.set(false);

            c.send("MAIL FROM:<chris@contoso.com>");
            c.send("RCPT TO:<kate@fabrikam.com>");
            c.send("DATA");
            failCommit.set(true);
            assertThat(c.send("Subject: not durable\r\n\r\nbody\r\n."))
                    .containsExactly("451 4.3.0 Local error in processing, please try again later");
            failCommit.set(false);

            assertThat(inner.list(null)).isEmpty();
            assertThat(aborted.get()).isEqualTo(2);

            // and the session is still usable
            c.send("MAIL FROM:<chris@contoso.com>");
            c.send("RCPT TO:<kate@fabrikam.com>");
            c.send("DATA");
            assertThat(c.send("Subject: fine\r\n\r\nbody\r\n.").get(0)).startsWith("250 2.6.0");
            assertThat(inner.list(null)).hasSize(1);
        }
    }

    @Test
    void realFullDiskOnTmpfs() throws Exception {
        ExternalTool.requireRoot("it mounts a small tmpfs as the data directory");
        Path mount = dir.resolve("tmpfs");
        Files.createDirectories(mount);
        run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mount.toString());
        try {
            var lines = List.of("max_message_size = 1048576");
            var base = TestServer.config(lines, List.of());
            var cfg = new dev.mailflow.app.MailflowConfig(base.source(), base.web(), base.logs(),
                    new ServerConfig(base.server().hostname(), mount.resolve("data"), base.server().connectors(),
                            base.server().directory(), 256 * 1024, 100, null, null),
                    base.queue(), base.delivery());
            try (var runtime = dev.mailflow.app.MailflowRuntime.start(cfg, Clock.systemDefaultZone());
                 var c = new SmtpTestClient(runtime.server().connector(TestServer.FRONTEND)
                         .boundAddress().getPort())) {
                c.reply();
                c.send("EHLO contoso.com");
                // Fill the disk to just over the margin: MAIL is still accepted, the message will not fit.
                Path filler = mount.resolve("filler");
                long free = Files.getFileStore(mount).getUsableSpace();
                writeFiller(filler, free - 320 * 1024);
                assertThat(c.send("MAIL FROM:<chris@contoso.com>")).containsExactly("250 2.1.0 Sender OK");
                c.send("RCPT TO:<kate@fabrikam.com>");
                c.send("DATA");
                String big = ("z".repeat(998) + "\r\n").repeat(600);
                assertThat(c.send("Subject: too big for the disk\r\n\r\n" + big + ".").get(0))
                        .startsWith("451 4.3.0");
                assertThat(Files.list(mount.resolve("data/queue/incoming")).count()).isZero();
                assertThat(Files.list(mount.resolve("data/queue/messages")).count()).isZero();

                // Now under the margin: refused at MAIL.
                writeFiller(mount.resolve("filler2"), Files.getFileStore(mount).getUsableSpace() - 4096);
                assertThat(c.send("MAIL FROM:<chris@contoso.com>"))
                        .containsExactly("452 4.3.1 Insufficient system storage");

                // Space again: mail flows, and is delivered whole.
                Files.delete(filler);
                Files.delete(mount.resolve("filler2"));
                assertThat(c.send("MAIL FROM:<chris@contoso.com>")).containsExactly("250 2.1.0 Sender OK");
                c.send("RCPT TO:<kate@fabrikam.com>");
                c.send("DATA");
                assertThat(c.send("Subject: fits\r\n\r\nbody\r\n.").get(0)).startsWith("250 2.6.0");
                Path maildir = mount.resolve("data/mailboxes/fabrikam.com/kate/new");
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while ((!Files.isDirectory(maildir) || Files.list(maildir).count() == 0)
                        && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                var files = Files.list(maildir).toList();
                assertThat(files).hasSize(1);
                assertThat(Files.readString(files.get(0))).contains("Subject: fits").doesNotContain("too big");
            }
        } finally {
            run("umount", "-l", mount.toString());
        }
    }

    private static void writeFiller(Path file, long size) throws IOException {
        try (var out = Files.newOutputStream(file)) {
            byte[] block = new byte[64 * 1024];
            long left = Math.max(0, size);
            while (left > 0) {
                int n = (int) Math.min(block.length, left);
                out.write(block, 0, n);
                left -= n;
            }
        }
    }

    private static void run(String... command) throws Exception {
        var p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed: " + out);
        }
    }
}
