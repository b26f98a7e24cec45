package dev.mailflow.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.testing.ExternalTool;
import dev.mailflow.testing.MainRunner;
import dev.mailflow.testing.Postgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A queue action with the node's server down works on the shared database, and the cluster's tracking sees it. */
class OfflineClusterQueueTest {

    @TempDir
    Path tmp;

    @Test
    void anOfflineHoldReachesTheClustersTracking() throws Exception {
        ExternalTool.requireRoot("PostgreSQL is started as the postgres user with its own configuration");
        try (var pg = Postgres.start(tmp)) {
            pg.sql("postgres", "CREATE ROLE mailflow LOGIN; CREATE DATABASE mail OWNER mailflow;");
            Path data = Files.createDirectories(tmp.resolve("data"));
            Path cfg = Files.writeString(tmp.resolve("mx1.toml"), "data_dir = \"" + data + "\"\n\n[queue]\n"
                    + "store = \"postgresql\"\nurl = \"" + pg.url("mail") + "\"\nuser = \"mailflow\"\nnode_id = \"mx1\"\n");
            long id;
            try (var db = SharedQueueDatabase.open(ConfigLoader.load(cfg).queue(), data)) {
                var in = db.store().begin();
                byte[] content = "Subject: held offline\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII);
                in.content().write(content);
                id = in.commit(dev.mailflow.queue.FileQueueStoreTest.envelope(in.id(), content.length)).id();
                db.store().release(id);
            }
            var hold = MainRunner.run("queue", "hold", String.valueOf(id), "--config", cfg.toString());
            assertThat(hold.code()).as(hold.err()).isZero();
            assertThat(hold.out()).contains("is on hold");
            assertThat(pg.sql("mail", "SELECT 'events=' || string_agg(event::json->>'event', ',') FROM mailflow_tracking"
                    + " WHERE queue_id = " + id + ";")).contains("HOLD");
        }
    }
}
