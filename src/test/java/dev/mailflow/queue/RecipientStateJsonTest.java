package dev.mailflow.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.smtp.EnhancedStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Status files: the current form round-trips, and the form Mailflow 0.1.0 wrote (a fixture
 * written by that version: a 550 from an MX host, a 451, and a connection refused at an
 * address literal) is read into typed outcomes.
 */
class RecipientStateJsonTest {

    static final Path OLD = Path.of("src/test/resources/queue/v0.1.0/deferred/1796167022324000.json");

    @Test
    void aStatusFileOfVersion010IsReadIntoTypedOutcomes() throws Exception {
        var status = QueueJson.MAPPER.readValue(Files.readAllBytes(OLD), DeliveryStatus.class);
        var rs = status.recipients();
        assertThat(rs).hasSize(3);

        var a = rs.get(0);
        assertThat(a.status()).isEqualTo(RecipientState.Status.FAILED);
        assertThat(a.enhancedStatus()).isEqualTo(EnhancedStatus.of("5.1.1"));
        assertThat(a.remoteReply()).isEqualTo(new RemoteReply("mx.remote.test", 550, EnhancedStatus.of("5.1.1"),
                List.of("<a@remote.test>: Recipient address rejected: User unknown")));
        assertThat(a.reason()).isEqualTo("mx.remote.test[127.0.0.1]:36393 said");
        assertThat(a.describe()).as("the line a person reads is unchanged")
                .isEqualTo("mx.remote.test[127.0.0.1]:36393 said: 550 5.1.1 <a@remote.test>: Recipient address "
                        + "rejected: User unknown");

        var b = rs.get(1);
        assertThat(b.status()).isEqualTo(RecipientState.Status.PENDING);
        assertThat(b.remoteReply().code()).isEqualTo(451);
        assertThat(b.remoteReply().status()).isEqualTo(EnhancedStatus.of("4.7.1"));

        var c = rs.get(2);
        assertThat(c.enhancedStatus()).isEqualTo(EnhancedStatus.of("4.4.1"));
        assertThat(c.remoteReply()).as("a connection refused was never a reply").isNull();
        assertThat(c.reason()).isEqualTo("[127.0.0.2][127.0.0.2]:36393: connection refused");
        assertThat(status.attempts()).isEqualTo(1);
    }

    @Test
    void anAddressLiteralWithoutRemoteMtaGetsItsHostFromTheOldDiagnostic() {
        var l = RecipientStateJson.legacy("[127.0.0.1][127.0.0.1]:2525 said: 550 5.1.1 User unknown", "");
        assertThat(l.reply().host()).isEqualTo("127.0.0.1");
        assertThat(l.reply().text()).isEqualTo("550 5.1.1 User unknown");
        var notAReply = RecipientStateJson.legacy("the peer said: nothing useful", "mx.example.net");
        assertThat(notAReply.reply()).isNull();
        assertThat(notAReply.reason()).isEqualTo("the peer said: nothing useful");
    }

    @Test
    void theCurrentFormRoundTrips() throws Exception {
        var old = QueueJson.MAPPER.readValue(Files.readAllBytes(OLD), DeliveryStatus.class);
        var r = old.recipients().get(0).after(new DeliveryOutcome.Deferred(DeliveryCodes.NO_ANSWER,
                "connect to mx.remote.test[127.0.0.1]:25: Connection refused"), Instant.parse("2026-12-02T00:00:00Z"));
        var now = old.withRecipients(List.of(r, old.recipients().get(1)));
        String json = QueueJson.MAPPER.writeValueAsString(now);
        assertThat(json).contains("\"enhancedStatus\":\"4.4.1\"").contains("\"reason\":")
                .contains("\"remoteReply\":{\"host\":\"mx.remote.test\",\"code\":451,\"enhanced\":\"4.7.1\"")
                .doesNotContain("diagnostic").doesNotContain("remoteMta");
        assertThat(QueueJson.MAPPER.readValue(json, DeliveryStatus.class)).isEqualTo(now);
    }
}
