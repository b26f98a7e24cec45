package dev.mailflow.delivery.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.directory.Mailbox;
import dev.mailflow.queue.DeliveryOutcome;
import dev.mailflow.queue.Envelope;
import dev.mailflow.queue.EnvelopeRecipient;
import dev.mailflow.smtp.MailAddress;
import dev.mailflow.smtp.MailParameters;
import dev.mailflow.smtp.RcptParameters;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Maildir file names carry their size (Maildir++ ",S="), and the quota counts with it. */
class MaildirDeliveryTest {

    @TempDir
    Path root;

    static final MailAddress KATE = new MailAddress("kate", "fabrikam.com");
    static final byte[] BODY = "Subject: Test from Contoso\r\n\r\nThis is a test message\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    static Envelope envelope(long id) {
        return new Envelope(id, "<m" + id + "@contoso.com>", false, Instant.parse("2026-11-23T10:00:00Z"),
                "Default Frontend", "127.0.0.1", "contoso.com", "ESMTP", new MailAddress("chris", "contoso.com"),
                new MailParameters(null, null, false, null, null, null),
                List.of(new EnvelopeRecipient(KATE, new RcptParameters(null, null))), BODY.length, null, null, false);
    }

    private DeliveryOutcome deliver(MaildirDelivery maildir, long id, long quota) {
        return maildir.deliver(envelope(id), KATE, new Mailbox(KATE, null, quota),
                () -> new ByteArrayInputStream(BODY), false);
    }

    @Test
    void manyCopiesAreOneFileHardLinkedIntoEachMailboxAndFoundAgainAfterACrash() throws Exception {
        var maildir = new MaildirDelivery(root, "mail1.fabrikam.com", ZoneOffset.UTC, 10);
        var copies = new java.util.ArrayList<LocalDelivery.Copy>();
        for (int i = 0; i < 12; i++) {
            var a = new MailAddress("user" + i, "fabrikam.com");
            // user11 is full: its copy waits, the others are linked.
            copies.add(new LocalDelivery.Copy(i, a, new Mailbox(a, null, i == 11 ? 10 : 0)));
        }
        var outcomes = maildir.deliver(envelope(5001), copies, () -> new ByteArrayInputStream(BODY), false);
        assertThat(outcomes).hasSize(12);
        assertThat(outcomes.get(11)).isInstanceOf(DeliveryOutcome.Deferred.class);
        assertThat(outcomes.get(0).toString()).contains("hard link: one file for 11 mailboxes");
        Object inode = null;
        for (int i = 0; i < 11; i++) {
            Path file;
            try (var files = Files.list(maildir.maildir(copies.get(i).mailbox().address()).resolve("new"))) {
                file = files.collect(java.util.stream.Collectors.toList()).stream().reduce((x, y) -> {
                    throw new AssertionError("two files in one mailbox");
                }).orElseThrow();
            }
            assertThat(file.getFileName().toString()).startsWith(maildir.fileName(5001, copies.get(i).mailbox().address()));
            Object ino = Files.getAttribute(file, "unix:ino");
            assertThat(inode == null || inode.equals(ino)).as("one file for all").isTrue();
            inode = ino;
            assertThat((Integer) Files.getAttribute(file, "unix:nlink")).as("no link left in tmp/").isEqualTo(11);
            String text = Files.readString(file);
            assertThat(text).startsWith("Return-Path: <chris@contoso.com>\r\nReceived: from contoso.com")
                    .doesNotContain("Delivered-To").doesNotContain("\tfor <").endsWith("This is a test message\r\n");
        }
        try (var left = Files.list(maildir.maildir(copies.get(0).mailbox().address()).resolve("tmp"))) {
            assertThat(left).isEmpty();
        }
        var again = maildir.deliver(envelope(5001), copies.subList(0, 11), () -> new ByteArrayInputStream(BODY), true);
        assertThat(again.values()).allMatch(o -> o.toString().contains("copy found after restart"));
        // Below the threshold each copy is written with its own trace headers.
        var few = maildir.deliver(envelope(5002), copies.subList(0, 3), () -> new ByteArrayInputStream(BODY), false);
        assertThat(few.values()).allMatch(o -> o instanceof DeliveryOutcome.Delivered && !o.toString().contains("link"));
    }

    @Test
    void aMaildirRemovedUnderTheServerIsMadeAgainAtOnce() throws Exception {
        var maildir = new MaildirDelivery(root, "mail1.fabrikam.com", ZoneOffset.UTC);
        assertThat(deliver(maildir, 6001, 0)).isInstanceOf(DeliveryOutcome.Delivered.class);
        org.assertj.core.util.Files.delete(maildir.maildir(KATE).toFile());
        assertThat(deliver(maildir, 6002, 0)).isInstanceOf(DeliveryOutcome.Delivered.class);
        try (var files = Files.list(maildir.maildir(KATE).resolve("new"))) {
            assertThat(files).hasSize(1);
        }
    }

    @Test
    void theFileNameGivesTheExactSize() throws Exception {
        var maildir = new MaildirDelivery(root, "mail1.fabrikam.com", ZoneOffset.UTC);
        assertThat(deliver(maildir, 1001, 0)).isInstanceOf(DeliveryOutcome.Delivered.class);
        Path file;
        try (var files = Files.list(maildir.maildir(KATE).resolve("new"))) {
            file = files.findFirst().orElseThrow();
        }
        assertThat(file.getFileName().toString()).startsWith(maildir.fileName(1001, KATE) + ",S=")
                .endsWith(",S=" + Files.size(file));
        assertThat(MaildirDelivery.messageSize(file)).isEqualTo(Files.size(file));
    }

    @Test
    void theQuotaCountsSizesFromNamesAndFiles() throws Exception {
        var maildir = new MaildirDelivery(root, "mail1.fabrikam.com", ZoneOffset.UTC);
        assertThat(deliver(maildir, 2001, 0)).isInstanceOf(DeliveryOutcome.Delivered.class);
        Path cur = maildir.maildir(KATE).resolve("cur");
        // A message a reader moved to cur/ with its flags, and one from another program without a size tag.
        Files.write(cur.resolve("1700000000.M1P2.other,S=5000:2,S"), new byte[10]);
        Files.write(cur.resolve("1700000001.M3P4.other:2,"), new byte[700]);
        long used = MaildirDelivery.usage(maildir.maildir(KATE).resolve("new")) + MaildirDelivery.usage(cur);
        assertThat(used).isGreaterThan(5700).isLessThan(5700 + 1000);
        var full = deliver(maildir, 2002, used + 10);
        assertThat(full).isInstanceOf(DeliveryOutcome.Deferred.class);
        assertThat(((DeliveryOutcome.Deferred) full).status()).hasToString("4.2.2");
        assertThat(deliver(maildir, 2003, used + 1000)).isInstanceOf(DeliveryOutcome.Delivered.class);
    }

    private static long filesIn(Path dir) throws Exception {
        try (var files = Files.list(dir)) {
            return files.count();
        }
    }

    @Test
    void aCopyIsFoundAgainAfterARestartWhateverItsHeadersOrHostName() throws Exception {
        // The first attempt wrote new/<id>.M<hash>.<host>,S=<size>; the attempt after a crash has
        // another host name, so other trace headers, another size and another name.
        var before = new MaildirDelivery(root, "mail1.fabrikam.com", ZoneOffset.UTC);
        assertThat(deliver(before, 3001, 0)).isInstanceOf(DeliveryOutcome.Delivered.class);
        var after = new MaildirDelivery(root, "mx2.after-the-restart.fabrikam.com", ZoneOffset.ofHours(9));
        var again = after.deliver(envelope(3001), KATE, new Mailbox(KATE, null, 0),
                () -> new ByteArrayInputStream(BODY), true);
        assertThat(again).isInstanceOf(DeliveryOutcome.Delivered.class);
        assertThat(filesIn(before.maildir(KATE).resolve("new"))).as("copies in new/").isEqualTo(1);

        // A reader moved it to cur/ and added its flags: still found.
        Path newDir = before.maildir(KATE).resolve("new");
        Path cur = before.maildir(KATE).resolve("cur");
        try (var files = Files.list(newDir)) {
            Path copy = files.findFirst().orElseThrow();
            Files.move(copy, cur.resolve(copy.getFileName() + ":2,S"));
        }
        after.deliver(envelope(3001), KATE, new Mailbox(KATE, null, 0), () -> new ByteArrayInputStream(BODY), true);
        assertThat(filesIn(newDir) + filesIn(cur)).as("copies in new/ and cur/").isEqualTo(1);

        // Another message (id 30010 starts with 3001) is not taken for this one.
        var other = after.deliver(envelope(30010), KATE, new Mailbox(KATE, null, 0),
                () -> new ByteArrayInputStream(BODY), true);
        assertThat(other).isInstanceOf(DeliveryOutcome.Delivered.class);
        assertThat(filesIn(newDir)).as("the other message delivered").isEqualTo(1);
    }
}
