package dev.mailflow.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.queue.FileQueueStore;
import dev.mailflow.queue.QueueAdmin;
import dev.mailflow.queue.QueueJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The running server's admin channel answers a page of a large queue (an answer far over a request's limit). */
class AdminChannelTest {

    @TempDir
    Path dir;

    @Test
    void aPageOfAThousandMessagesComesThrough() throws Exception {
        var store = new FileQueueStore(dir.resolve("queue"));
        for (int i = 0; i < 1200; i++) {
            var in = store.begin();
            byte[] content = ("Subject: " + i + "\r\n\r\nx\r\n").getBytes(StandardCharsets.US_ASCII);
            in.content().write(content);
            in.commit(dev.mailflow.queue.FileQueueStoreTest.envelope(in.id(), content.length));
        }
        var admin = new QueueAdmin(store, null, null, Clock.systemUTC());
        try (var channel = AdminChannel.start(dir, admin, null)) {
            var answer = AdminChannel.call(dir, QueueJson.MAPPER.createObjectNode().put("op", "list").put("limit", 1000));
            assertThat(answer.path("ok").asBoolean()).as(answer.toString()).isTrue();
            assertThat(answer.path("listing").path("messages")).hasSize(1000);
            assertThat(answer.path("listing").path("matching").asInt()).isEqualTo(1200);
            assertThat(answer.toString().length()).as("far over the 64 KiB of a request").isGreaterThan(128 * 1024);
        }
    }
}
