package dev.mailflow.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailflow.smtp.EnhancedStatus;
import dev.mailflow.smtp.MailAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Outcomes carry a status of their own class, and keep the remote reply apart from the reason. */
class DeliveryOutcomeTest {

    static EnhancedStatus s(String code) {
        return EnhancedStatus.of(code);
    }

    @Test
    void aStatusOfTheWrongClassFailsLoudlyWhenTheOutcomeIsMade() {
        assertThatThrownBy(() -> new DeliveryOutcome.Deferred(s("5.1.1"), "no"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Deferred");
        assertThatThrownBy(() -> new DeliveryOutcome.Failed(s("4.2.2"), "no"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DeliveryOutcome.Failed(s("2.0.0"), "no"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DeliveryOutcome.Delivered(s("4.0.0"), "no", null, false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DeliveryOutcome.Deferred(s("4.4.1"), " "))
                .as("a reason is needed").isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RemoteReply("mx.example.net", 450, s("5.1.1"), List.of("x")))
                .as("a reply's own code agrees with its class").isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theRemoteReplyIsKeptApartFromOurReason() {
        var reply = new RemoteReply("mx.example.net", 550, s("5.1.1"), List.of("<a@example.net>: User unknown"));
        var o = new DeliveryOutcome.Failed(reply.status(), "mx.example.net[192.0.2.1]:25 refused the recipient "
                + "(RCPT TO)", reply);
        assertThat(o.remoteReply().text()).isEqualTo("550 5.1.1 <a@example.net>: User unknown");
        assertThat(o.describe()).isEqualTo("mx.example.net[192.0.2.1]:25 refused the recipient (RCPT TO): "
                + "550 5.1.1 <a@example.net>: User unknown");
        var via = o.within("send connector \"Smarthost\" (smtp.example.net:587): ");
        assertThat(via.reason()).startsWith("send connector \"Smarthost\" (smtp.example.net:587): mx.example.net");
        assertThat(via.remoteReply()).isSameAs(reply);
    }

    @Test
    void aReplyThatDisagreesWithItselfIsTakenByItsReplyCode() {
        var reply = new RemoteReply("mx.example.net", 450, null, List.of("5.1.1 mailbox unavailable"));
        assertThat(reply.status()).hasToString("4.0.0");
        assertThat(reply.text()).isEqualTo("450 5.1.1 mailbox unavailable");
    }

    @Test
    void aRecipientTakesItsStatusFromTheOutcomeKind() {
        var r = RecipientState.pending(new EnvelopeRecipient(new MailAddress("a", "x.test"),
                dev.mailflow.smtp.RcptParameters.NONE));
        assertThat(r.after(new DeliveryOutcome.Deferred(DeliveryCodes.NO_ANSWER, "later"), null).status())
                .isEqualTo(RecipientState.Status.PENDING);
        assertThat(r.after(new DeliveryOutcome.Failed(DeliveryCodes.USER_UNKNOWN, "never"), null).status())
                .isEqualTo(RecipientState.Status.FAILED);
        var x = r.after(new DeliveryOutcome.Expanded(List.of(new MailAddress("b", "x.test"))), null);
        assertThat(x.status()).isEqualTo(RecipientState.Status.EXPANDED);
        assertThat(x.enhancedStatus()).isEqualTo(DeliveryCodes.EXPANDED);
        assertThat(x.reason()).isEqualTo("expanded to b@x.test");
    }
}
