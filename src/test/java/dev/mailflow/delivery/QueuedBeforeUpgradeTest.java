package dev.mailflow.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.testing.Dnsmasq;
import dev.mailflow.testing.ScriptedPeer;
import dev.mailflow.testing.TestServer;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A message queued by Mailflow 0.1.0 is still delivered after the upgrade. The fixture is that
 * version's queue, as it left a message from kate to three remote recipients: a@remote.test
 * refused with 550 5.1.1 by mx.remote.test, b@remote.test greylisted with 451 4.7.1, and
 * c@[127.0.0.2] whose connection was refused. Now both next hops take mail: b and c are
 * delivered, and kate's failure notice for a quotes the old 550 as an SMTP reply from
 * mx.remote.test.
 */
class QueuedBeforeUpgradeTest {

    static final Path FIXTURE = Path.of("src/test/resources/queue/v0.1.0");
    static final long ID = 1796167022324000L;

    @TempDir
    Path tmp;

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(condition.getAsBoolean()).as(what).isTrue();
    }

    @Test
    void aMessageQueuedByVersion010IsDeliveredAndItsOldFailureNotified() throws Exception {
        int dnsPort = Dnsmasq.freePort();
        try (var mx = new ScriptedPeer(new ScriptedPeer.Script() { });
             var literal = new ScriptedPeer(new ScriptedPeer.Script() { }, InetAddress.getByName("127.0.0.2"),
                     mx.port());
             var dns = Dnsmasq.start(dnsPort, List.of("--mx-host=remote.test,mx.remote.test,10",
                     "--host-record=mx.remote.test,127.0.0.1"), tmp.resolve("dnsmasq.log"))) {
            // Queued on 2026-12-01: a lifetime that does not end while this test is still run.
            var config = TestServer.config(List.of("relay_from = [\"127.0.0.0/8\"]"), List.of(),
                    List.of("dns_server = \"127.0.0.1:" + dnsPort + "\"", "remote_port = " + mx.port(),
                            "command_timeout = \"2s\"", "connect_timeout = \"2s\""), List.of("lifetime = \"36500d\""));
            Path queue = config.server().dataDir().resolve("queue");
            for (String dir : List.of("messages", "deferred")) {
                Files.createDirectories(queue.resolve(dir));
                try (var files = Files.list(FIXTURE.resolve(dir))) {
                    for (Path f : files.toList()) {
                        Path target = queue.resolve(dir).resolve(f.getFileName());
                        Files.copy(f, target);
                        if (dir.equals("deferred")) {
                            // The next attempt its server planned, an hour after it was queued, moved
                            // to an hour from now: the test starts the attempt itself.
                            Files.writeString(target, Files.readString(target).replaceFirst(
                                    "\"nextAttempt\":\"[^\"]+\"", "\"nextAttempt\":\""
                                            + java.time.Instant.now().plusSeconds(3600) + "\""));
                        }
                    }
                }
            }
            try (var server = TestServer.start(config)) {
                assertThat(server.runtime().store().load(ID).status().recipients()).hasSize(3);
                server.runtime().scheduler().schedule(ID, null); // not the hour the old retry planned
                await(() -> mx.accepted().size() == 1 && literal.accepted().size() == 1, "b and c delivered");
                assertThat(mx.accepted().get(0).rcptTo()).singleElement().asString().startsWith("RCPT TO:<b@remote.test>");
                assertThat(literal.accepted().get(0).rcptTo()).singleElement().asString()
                        .startsWith("RCPT TO:<c@[127.0.0.2]>");
                await(() -> {
                    try {
                        return server.delivered("kate@fabrikam.com").size() == 1;
                    } catch (java.io.IOException e) {
                        return false;
                    }
                }, "kate's failure notice for a");
                String dsn = Files.readString(server.delivered("kate@fabrikam.com").get(0), StandardCharsets.UTF_8);
                assertThat(dsn).contains("Subject: Undeliverable: queued before the upgrade")
                        .contains("Final-Recipient: rfc822; a@remote.test").contains("Status: 5.1.1")
                        .contains("Remote-MTA: dns; mx.remote.test")
                        .contains("Diagnostic-Code: smtp; 550 5.1.1 <a@remote.test>: Recipient address rejected: "
                                + "User unknown")
                        .contains("Remote server returned '550 5.1.1 <a@remote.test>")
                        .doesNotContain("b@remote.test").doesNotContain("c@[127.0.0.2]");
                await(() -> {
                    try {
                        return server.queuedMessages().stream().noneMatch(p -> p.toString().contains(ID + ""));
                    } catch (java.io.IOException e) {
                        return false;
                    }
                }, "the old message left the queue");
            }
        }
    }
}
