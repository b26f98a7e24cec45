package dev.mailflow.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailflow.smtp.DsnNotify;
import dev.mailflow.smtp.MailAddress;
import dev.mailflow.smtp.MailParameters;
import dev.mailflow.smtp.RcptParameters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class FileQueueStoreTest {

    @TempDir
    Path dir;

    public static Envelope envelope(long id, long size) {
        return new Envelope(id, "<m@x>", false, Instant.parse("2026-11-23T10:00:00Z"), "c", "127.0.0.1", "h",
                "ESMTP", new MailAddress("s", "x.test"), MailParameters.NONE,
                List.of(new EnvelopeRecipient(new MailAddress("a", "x.test"),
                        new RcptParameters(Set.of(DsnNotify.SUCCESS), "rfc822;a@x.test"))), size, null, null, false);
    }

    private QueuedMessage commit(FileQueueStore store, String content) throws Exception {
        var in = store.begin();
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        in.content().write(bytes);
        return in.commit(envelope(in.id(), bytes.length));
    }

    @Test
    void aListComesInPagesOldestIdFirstWithTheWholeQueuesCounts() throws Exception {
        var store = new FileQueueStore(dir);
        var ids = new java.util.ArrayList<Long>();
        for (int i = 0; i < 5; i++) {
            ids.add(commit(store, "Subject: " + i + "\r\n\r\nx\r\n").id());
        }
        var admin = new QueueAdmin(store, null, null, java.time.Clock.systemUTC());
        var first = admin.list(null, 0, 2);
        assertThat(first.messages()).extracting(QueueAdmin.Summary::id).containsExactly(ids.get(0), ids.get(1));
        assertThat(first.matching()).isEqualTo(5);
        assertThat(first.continueAfter()).isEqualTo(ids.get(1));
        assertThat(first.counts().get(QueueState.ACTIVE)).isEqualTo(5);
        var last = admin.list(QueueState.ACTIVE, ids.get(3), 2);
        assertThat(last.messages()).extracting(QueueAdmin.Summary::id).containsExactly(ids.get(4));
        assertThat(last.matching()).as("all in the state asked for").isEqualTo(5);
        assertThat(last.continueAfter()).as("nothing after the last page").isNull();
        assertThat(admin.list(null).messages()).hasSize(5);
        assertThat(admin.list(QueueState.HOLD, 0, 2).messages()).isEmpty();
    }

    @Test
    void committedMessagesReadBackWhole() throws Exception {
        var store = new FileQueueStore(dir);
        var m = commit(store, "Subject: x\r\n\r\nMAILFLOW-ENVELOPE 0000000001\n{}\r\n");
        var loaded = store.load(m.id());
        assertThat(loaded.state()).isEqualTo(QueueState.ACTIVE);
        assertThat(loaded.envelope()).isEqualTo(m.envelope());
        try (var in = store.openContent(m.id())) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("Subject: x\r\n\r\nMAILFLOW-ENVELOPE 0000000001\n{}\r\n");
        }
        assertThat(Files.list(dir.resolve("incoming")).count()).isZero();
    }

    @Test
    void aRewrittenContentIsWhatIsCommittedAndItsChecksumHolds() throws Exception {
        var store = new FileQueueStore(dir);
        var in = store.begin();
        in.content().write("Subject: x\r\n\r\nold body\r\n".getBytes(StandardCharsets.US_ASCII));
        in.rewrite((current, replacement) -> {
            replacement.write("X-Filter: yes\r\n".getBytes(StandardCharsets.US_ASCII));
            current.transferTo(replacement);
        });
        try (var written = in.written()) {
            assertThat(new String(written.readAllBytes(), StandardCharsets.US_ASCII))
                    .isEqualTo("X-Filter: yes\r\nSubject: x\r\n\r\nold body\r\n");
        }
        in.content().write("more\r\n".getBytes(StandardCharsets.US_ASCII));
        var m = in.commit(envelope(in.id(), 40));
        try (var content = store.openContent(m.id())) {
            assertThat(new String(content.readAllBytes(), StandardCharsets.US_ASCII))
                    .isEqualTo("X-Filter: yes\r\nSubject: x\r\n\r\nold body\r\nmore\r\n");
        }
        assertThat(store.verify(store.messageFile(m.id()))).isTrue();
        assertThat(Files.list(dir.resolve("incoming")).count()).as("no .edit left behind").isZero();
    }

    @Test
    void aRewriteThatFailsLeavesTheContentAsItWas() throws Exception {
        var store = new FileQueueStore(dir);
        var in = store.begin();
        in.content().write("Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> in.rewrite((current, replacement) -> {
            replacement.write("half".getBytes(StandardCharsets.US_ASCII));
            throw new java.io.IOException("No space left on device");
        })).hasMessage("No space left on device");
        var m = in.commit(envelope(in.id(), 20));
        try (var content = store.openContent(m.id())) {
            assertThat(new String(content.readAllBytes(), StandardCharsets.US_ASCII))
                    .isEqualTo("Subject: x\r\n\r\nbody\r\n");
        }
        assertThat(store.verify(store.messageFile(m.id()))).isTrue();
    }

    @Test
    void stateChangesAndRemoval() throws Exception {
        var store = new FileQueueStore(dir);
        var m = commit(store, "a\r\n");
        var deferred = store.update(m, QueueState.DEFERRED, m.status().scheduled(1, Instant.now(),
                Instant.now().plusSeconds(60), "boom"));
        assertThat(store.load(m.id()).state()).isEqualTo(QueueState.DEFERRED);
        assertThat(store.load(m.id()).status().lastError()).isEqualTo("boom");
        store.update(deferred, QueueState.HOLD, deferred.status());
        assertThat(store.load(m.id()).state()).isEqualTo(QueueState.HOLD);
        var other = commit(store, "another\r\n");
        assertThat(store.countByState()).containsEntry(QueueState.HOLD, 1).containsEntry(QueueState.ACTIVE, 1)
                .containsEntry(QueueState.DEFERRED, 0);
        store.remove(other.id());
        assertThat(Files.exists(dir.resolve("deferred/" + m.id() + ".json"))).isFalse();
        assertThat(store.list(QueueState.HOLD)).hasSize(1);
        store.remove(m.id());
        assertThat(store.load(m.id())).isNull();
        assertThat(store.list(null)).isEmpty();
    }

    @Test
    void recoveryCleansUpAfterACrash() throws Exception {
        var store = new FileQueueStore(dir);
        var kept = commit(store, "kept\r\n");
        var deferred = commit(store, "deferred\r\n");
        var d1 = store.update(deferred, QueueState.DEFERRED, deferred.status());
        // A crash while moving a status: the older copy is still in another state directory.
        Files.copy(dir.resolve("deferred/" + deferred.id() + ".json"), dir.resolve("hold/" + deferred.id() + ".json"));
        store.update(d1, QueueState.DEFERRED, d1.status().scheduled(2, Instant.now(), Instant.now(), "newer"));
        // A message being received when the server died.
        var half = store.begin();
        half.content().write("half".getBytes(StandardCharsets.US_ASCII));
        half.content().flush();
        // A status whose message is gone (crash between the two deletions of a delivered message).
        Files.writeString(dir.resolve("deferred/42.json"), "{}");
        // A message file that is not a queue file.
        Files.writeString(dir.resolve("messages/43.msg"), "garbage");
        // A queue file with one octet of its content changed: its checksum fails.
        var damaged = commit(store, "damaged content\r\n");
        Path damagedFile = dir.resolve("messages/" + damaged.id() + ".msg");
        byte[] bytes = Files.readAllBytes(damagedFile);
        bytes[2] ^= 0x20;
        Files.write(damagedFile, bytes);

        var again = new FileQueueStore(dir);
        var recovered = again.recover();
        assertThat(recovered).extracting(RecoveredMessage::id).containsExactlyInAnyOrder(kept.id(), deferred.id());
        var d = again.load(deferred.id());
        assertThat(d.state()).isEqualTo(QueueState.DEFERRED);
        assertThat(d.status().lastError()).isEqualTo("newer");
        assertThat(Files.exists(dir.resolve("hold/" + deferred.id() + ".json"))).isFalse();
        assertThat(Files.list(dir.resolve("incoming")).count()).isZero();
        assertThat(Files.exists(dir.resolve("deferred/42.json"))).isFalse();
        assertThat(Files.exists(dir.resolve("corrupt/43.msg"))).isTrue();
        assertThat(Files.exists(dir.resolve("corrupt/" + damaged.id() + ".msg"))).isTrue();
        var admin = new QueueAdmin(again, null, null, java.time.Clock.systemUTC());
        assertThat(admin.list(QueueState.CORRUPT, 0, 10).messages()).extracting(QueueAdmin.Summary::id)
                .contains(damaged.id());
        // Listed with what is known: the kept file's size and age, and why it was put aside.
        var listed = admin.list(QueueState.CORRUPT, 0, 10).messages().stream()
                .filter(m -> m.id() == damaged.id()).findFirst().orElseThrow();
        assertThat(listed.size()).isEqualTo(Files.size(dir.resolve("corrupt/" + damaged.id() + ".msg")));
        assertThat(listed.lastError()).endsWith("kept in queue/corrupt: it fails its checksum");
        var garbage = admin.list(QueueState.CORRUPT, 0, 10).messages().stream()
                .filter(m -> m.id() == 43).findFirst().orElseThrow();
        assertThat(garbage.lastError()).endsWith("kept in queue/corrupt: too short for a queue file");
        assertThat(admin.delete(damaged.id()).ok()).isTrue();
        assertThat(Files.exists(dir.resolve("corrupt/" + damaged.id() + ".msg"))).isFalse();
        assertThat(again.begin().id()).isGreaterThan(deferred.id());
    }

    @Test
    void aListingThatFindsDamageCountsItAsCorrupt() throws Exception {
        var store = new FileQueueStore(dir);
        var next = Instant.parse("2030-01-01T00:00:00Z");
        var held = commit(store, "held and then cut short\r\n");
        store.update(held, QueueState.HOLD, held.status().scheduled(1, Instant.now(), next, "held"));
        Path file = dir.resolve("messages/" + held.id() + ".msg");
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(10);
        }
        var again = new FileQueueStore(dir);
        again.recover();
        var listing = new QueueAdmin(again, null, null, java.time.Clock.systemUTC()).list(null, 0, 10);
        assertThat(listing.messages()).singleElement().satisfies(m -> {
            assertThat(m.state()).isEqualTo(QueueState.CORRUPT);
            assertThat(m.lastError()).contains("too short for a queue file");
        });
        assertThat(listing.counts()).containsEntry(QueueState.CORRUPT, 1).containsEntry(QueueState.HOLD, 0);
    }

    @Test
    void aDeferredMessageComesBackFromItsStatusAndIsCheckedAtItsFirstLoad() throws Exception {
        var store = new FileQueueStore(dir);
        var next = Instant.parse("2030-01-01T00:00:00Z");
        var whole = commit(store, "whole\r\n");
        store.update(whole, QueueState.DEFERRED, whole.status().scheduled(1, Instant.now(), next, "451 later"));
        var damaged = commit(store, "damaged later\r\n");
        store.update(damaged, QueueState.DEFERRED, damaged.status().scheduled(1, Instant.now(), next, "451 later"));
        // Damage after the 250 and the first attempt (the disk, not a crash): found at the next read.
        Path damagedFile = dir.resolve("messages/" + damaged.id() + ".msg");
        byte[] bytes = Files.readAllBytes(damagedFile);
        bytes[1] ^= 0x20;
        Files.write(damagedFile, bytes);

        var again = new FileQueueStore(dir);
        assertThat(again.recover()).containsExactlyInAnyOrder(
                new RecoveredMessage(whole.id(), QueueState.DEFERRED, next),
                new RecoveredMessage(damaged.id(), QueueState.DEFERRED, next));
        assertThat(again.load(whole.id()).envelope()).isEqualTo(whole.envelope());
        assertThatThrownBy(() -> again.load(damaged.id())).isInstanceOf(FileQueueStore.CorruptMessageException.class);
        assertThat(Files.exists(dir.resolve("corrupt/" + damaged.id() + ".msg"))).isTrue();
        assertThat(Files.exists(damagedFile)).isFalse();
        again.quarantine(damaged.id()); // what the scheduler does next: nothing left to move
        assertThat(Files.exists(dir.resolve("corrupt/" + damaged.id() + ".msg"))).isTrue();
        // Its status went with it: counted once, as corrupt, until the next start too.
        assertThat(Files.exists(dir.resolve("deferred/" + damaged.id() + ".json"))).isFalse();
        assertThat(Files.exists(dir.resolve("corrupt/" + damaged.id() + ".json"))).isTrue();
        assertThat(again.countByState()).containsEntry(QueueState.DEFERRED, 1).containsEntry(QueueState.CORRUPT, 1);
        again.remove(damaged.id());
        assertThat(Files.exists(dir.resolve("corrupt/" + damaged.id() + ".json"))).isFalse();
    }

    @Test
    void concurrentCommitsShareDirectoryFsyncsAndAllLand() throws Exception {
        var store = new FileQueueStore(dir);
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var futures = new java.util.ArrayList<java.util.concurrent.Future<QueuedMessage>>();
            for (int i = 0; i < 200; i++) {
                int n = i;
                futures.add(pool.submit(() -> commit(store, "message " + n + "\r\n")));
            }
            var ids = new java.util.HashSet<Long>();
            for (var f : futures) {
                ids.add(f.get().id());
            }
            assertThat(ids).hasSize(200);
        }
        assertThat(new FileQueueStore(dir).recover()).hasSize(200);
    }

    @Test
    void aStatusWriteThatFailsOnAFullDiskLeavesNoTemporaryFile() throws Exception {
        dev.mailflow.testing.ExternalTool.requireRoot("it mounts a small tmpfs for the queue");
        Path mount = dir.resolve("tmpfs");
        Files.createDirectories(mount);
        run("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mount.toString());
        try {
            var store = new FileQueueStore(mount.resolve("queue"));
            var m = commit(store, "Subject: x\r\n\r\nbody\r\n");
            Path filler = mount.resolve("filler");
            try (var out = Files.newOutputStream(filler)) {
                byte[] block = new byte[4096];
                while (true) {
                    out.write(block);
                }
            } catch (java.io.IOException full) {
                // the disk is full now
            }
            var status = m.status().scheduled(1, Instant.now(), Instant.now().plusSeconds(60), "x".repeat(20_000));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.update(m, QueueState.DEFERRED, status))
                    .isInstanceOf(java.io.IOException.class);
            try (var files = Files.walk(mount.resolve("queue"))) {
                assertThat(files.map(Path::toString).filter(n -> n.endsWith(".tmp")).toList())
                        .as("temporary status files left").isEmpty();
            }
            Files.delete(filler);
            store.update(m, QueueState.DEFERRED, status);
            assertThat(store.load(m.id()).state()).isEqualTo(QueueState.DEFERRED);
        } finally {
            run("umount", "-l", mount.toString());
        }
    }

    private static void run(String... command) throws Exception {
        var p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed: " + out);
        }
    }
}
