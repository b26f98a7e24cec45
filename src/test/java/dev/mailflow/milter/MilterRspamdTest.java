package dev.mailflow.milter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.queue.TrackingEvent;
import dev.mailflow.queue.TrackingLog;
import dev.mailflow.testing.Rspamd;
import dev.mailflow.testing.SmtpTestClient;
import dev.mailflow.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * rspamd in front of Mailflow with one line of config (its milter mode, offline): the GTUBE test
 * pattern is refused at the end of data with rspamd's own reply and tracked with the milter; a
 * clean message arrives with rspamd's headers.
 */
class MilterRspamdTest {

    @TempDir
    Path dir;

    private static final String GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

    private static String send(int port, String body) throws Exception {
        try (var c = new SmtpTestClient(port)) {
            c.reply();
            c.send("EHLO client.example");
            c.send("MAIL FROM:<chris@contoso.com>");
            c.send("RCPT TO:<kate@fabrikam.com>");
            c.send("DATA");
            return c.send("From: Chris <chris@contoso.com>\r\nTo: kate@fabrikam.com\r\nSubject: Hello\r\n"
                    + "Message-ID: <r1@contoso.com>\r\nDate: Wed, 2 Dec 2026 10:00:00 +0000\r\n\r\n" + body + "\r\n.")
                    .get(0);
        }
    }

    @Test
    void gtubeIsRejectedAndACleanMessageGetsRspamdsHeaders() throws Exception {
        try (var rspamd = Rspamd.start(dir.resolve("rspamd"));
             var server = TestServer.start(List.of("milters = [\"" + rspamd.milter() + "\"]"), List.of())) {
            String refused = send(server.port(), "This is spam.\r\n" + GTUBE);
            assertThat(refused).as("rspamd's reply for its reject action").startsWith("554 5.7.1");
            var rejects = TrackingLog.search(server.dataDir().resolve("logs"), null, e -> e.event().equals("REJECT"));
            assertThat(rejects).singleElement().extracting(TrackingEvent::check).asString()
                    .startsWith("milter " + rspamd.milter() + " 554 5.7.1");

            String accepted = send(server.port(), "Hello Kate, see you tomorrow at the meeting.");
            assertThat(accepted).startsWith("250 2.6.0");
            var delivered = server.awaitDelivered("kate@fabrikam.com", 1, Duration.ofSeconds(20));
            assertThat(delivered).hasSize(1);
            String message = Files.readString(delivered.get(0));
            assertThat(message).as("rspamd's verdict in the headers").containsPattern("(?m)^X-Spamd-Result: default: False");
            assertThat(message).containsPattern("(?m)^X-Spam-Status: No, score=");
            assertThat(server.delivered("kate@fabrikam.com")).hasSize(1);
        }
    }
}
