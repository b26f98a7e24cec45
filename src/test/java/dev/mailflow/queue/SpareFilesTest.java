package dev.mailflow.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A removed message's queue file is reused for a new one, only once its removal is durable. */
class SpareFilesTest {

    @TempDir
    Path dir;

    private static Object inode(Path p) throws Exception {
        return Files.getAttribute(p, "unix:ino");
    }

    private QueuedMessage commit(FileQueueStore store, String content) throws Exception {
        var in = store.begin();
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        in.content().write(bytes);
        return in.commit(FileQueueStoreTest.envelope(in.id(), bytes.length));
    }

    @Test
    void aRemovedFileIsReusedEmptyAfterTheNextCommitsDirectorySync() throws Exception {
        var store = new FileQueueStore(dir);
        var first = commit(store, "Subject: first\r\n\r\n" + "long body line\r\n".repeat(200));
        Object firstInode = inode(store.messageFile(first.id()));
        store.remove(first.id());
        assertThat(store.messageFile(first.id())).doesNotExist();
        assertThat(Files.list(dir.resolve("spare")).toList()).hasSize(1);

        // No fsync of messages/ since the removal: its old name may still be on the disk.
        var second = commit(store, "Subject: second\r\n\r\nx\r\n");
        assertThat(inode(store.messageFile(second.id()))).as("not reused before the sync").isNotEqualTo(firstInode);

        // The second commit's directory fsync made the removal durable: now it is reused.
        var third = commit(store, "Subject: third\r\n\r\ny\r\n");
        assertThat(inode(store.messageFile(third.id()))).isEqualTo(firstInode);
        assertThat(Files.list(dir.resolve("spare")).toList()).isEmpty();
        try (var in = store.openContent(third.id())) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("Subject: third\r\n\r\ny\r\n");
        }
        assertThat(store.load(third.id()).envelope().size()).isEqualTo(third.envelope().size());
    }

    @Test
    void aFileRemovedWhileItIsReadIsNeverReusedAndItsReaderKeepsItsOwnMessage() throws Exception {
        var store = new FileQueueStore(dir);
        var x = commit(store, "Subject: for alice\r\n\r\nalice's body\r\n");
        try (var open = store.openContent(x.id())) {
            store.remove(x.id());
            assertThat(Files.list(dir.resolve("spare")).toList()).as("deleted, not kept").isEmpty();
            commit(store, "Subject: y1\r\n\r\ny\r\n");
            commit(store, "Subject: for bob\r\n\r\nbob's body\r\n");
            assertThat(new String(open.readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("Subject: for alice\r\n\r\nalice's body\r\n");
        }
        // Once closed, the next removal keeps its file again.
        var z = commit(store, "Subject: z\r\n\r\nz\r\n");
        try (var in = store.openContent(z.id())) {
            in.readAllBytes();
        }
        store.remove(z.id());
        assertThat(Files.list(dir.resolve("spare")).toList()).hasSize(1);
    }

    @Test
    void aReusedFileThatStillHoldsTheRemovedMessageGoesToCorruptAtRecovery() throws Exception {
        var store = new FileQueueStore(dir);
        var old = commit(store, "Subject: delivered\r\n\r\nx\r\n");
        // What a crash can leave on ext4 without a journal: the new name durable, the inode's
        // new content not, so the new message's name shows the old message's whole file.
        long newId = old.id() + 1000;
        Files.copy(store.messageFile(old.id()), store.messageFile(newId));
        assertThat(store.verify(store.messageFile(old.id()))).isTrue();
        assertThat(store.verify(store.messageFile(newId))).isFalse();
        var recovered = new FileQueueStore(dir).recover();
        assertThat(recovered).extracting(RecoveredMessage::id).containsExactly(old.id());
        assertThat(dir.resolve("corrupt").resolve(newId + ".msg")).exists();
        assertThat(Files.readString(dir.resolve("corrupt").resolve(newId + ".why"))).contains("holds message " + old.id());
    }

    @Test
    void aMessageReceivedInAReusedFileCanBeRewrittenAndAbortedAndNothingIsLeftOver() throws Exception {
        var store = new FileQueueStore(dir);
        store.remove(commit(store, "Subject: old\r\n\r\n" + "old line\r\n".repeat(50)).id());
        commit(store, "Subject: sync\r\n\r\nx\r\n"); // its directory fsync makes the removal durable
        var in = store.begin();
        in.content().write("Subject: new\r\n\r\nbody\r\n".getBytes(StandardCharsets.UTF_8));
        in.rewrite((current, out) -> {
            out.write("X-Filter: yes\r\n".getBytes(StandardCharsets.UTF_8));
            current.transferTo(out);
        });
        var m = in.commit(FileQueueStoreTest.envelope(in.id(), 38));
        try (var c = store.openContent(m.id())) {
            assertThat(new String(c.readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("X-Filter: yes\r\nSubject: new\r\n\r\nbody\r\n");
        }
        assertThat(store.verify(store.messageFile(m.id()))).isTrue();
        store.remove(m.id());
        commit(store, "Subject: sync\r\n\r\nx\r\n");
        var aborted = store.begin();
        aborted.content().write("Subject: half\r\n".getBytes(StandardCharsets.UTF_8));
        aborted.abort();
        assertThat(Files.list(dir.resolve("incoming")).toList()).isEmpty();
        assertThat(Files.list(dir.resolve("spare")).map(p -> p.getFileName().toString()).toList())
                .allMatch(n -> n.endsWith(".spare"));
    }

    @Test
    void anUnusableSpareDirectoryOnlyMeansFilesAreDeletedAsBefore() throws Exception {
        Files.writeString(dir.resolve("spare"), "not a directory");
        var store = new FileQueueStore(dir);
        var m = commit(store, "Subject: x\r\n\r\nx\r\n");
        store.remove(m.id());
        assertThat(store.messageFile(m.id())).doesNotExist();
        var next = commit(store, "Subject: y\r\n\r\ny\r\n");
        assertThat(store.load(next.id())).isNotNull();
    }

    @Test
    void largeFilesAreDeletedAndSparesAreBoundedAndGoneAfterARestart() throws Exception {
        var store = new FileQueueStore(dir);
        var big = commit(store, "Subject: big\r\n\r\n" + "x".repeat((int) SpareFiles.MAX_SIZE) + "\r\n");
        store.remove(big.id());
        assertThat(Files.list(dir.resolve("spare")).toList()).as("too large to keep").isEmpty();

        var ids = new java.util.ArrayList<Long>();
        for (int i = 0; i < SpareFiles.LIMIT + 5; i++) {
            ids.add(commit(store, "Subject: " + i + "\r\n\r\nx\r\n").id());
        }
        for (long id : ids) {
            store.remove(id);
        }
        assertThat(Files.list(dir.resolve("spare")).count()).isEqualTo(SpareFiles.LIMIT);
        assertThat(Files.list(dir.resolve("messages")).toList()).isEmpty();

        new FileQueueStore(dir);
        assertThat(Files.list(dir.resolve("spare")).toList()).as("spares hold delivered mail: not kept").isEmpty();
    }
}
