package dev.mailflow.delivery.dsn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.testing.SmtpTestClient;
import dev.mailflow.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Success notices through aliases (RFC 3461 5.2.7): an alias with several targets is reported
 * once as "expanded" and its targets report no success of their own; a single-recipient alias
 * passes the request on, so the notice is the target's own, with the alias as Original-Recipient.
 */
class AliasDsnTest {

    @Test
    void severalTargetsAreExpandedOnceAndASingleTargetReportsItsOwnDelivery() throws Exception {
        try (var server = TestServer.start(List.of(), List.of("[[alias]]", "address = \"solo@fabrikam.com\"",
                "recipients = [\"kate@fabrikam.com\"]"))) {
            try (var c = new SmtpTestClient(server.port())) {
                assertThat(c.reply().get(0)).startsWith("220");
                c.send("EHLO client.test");
                assertThat(c.send("MAIL FROM:<postmaster@example.test> ENVID=alias-test").get(0)).startsWith("250");
                assertThat(c.send("RCPT TO:<team@fabrikam.com> NOTIFY=SUCCESS,FAILURE").get(0)).startsWith("250");
                assertThat(c.send("RCPT TO:<solo@fabrikam.com> NOTIFY=SUCCESS ORCPT=rfc822;solo@fabrikam.com").get(0)).startsWith("250");
                assertThat(c.send("DATA").get(0)).startsWith("354");
                assertThat(c.send("Subject: aliases\r\n\r\nhello\r\n.").get(0)).startsWith("250");
            }
            // postmaster@example.test gets the message (it is in team) and the success notice.
            var mail = server.awaitDelivered("postmaster@example.test", 2, Duration.ofSeconds(20));
            String dsn = null;
            for (Path p : mail) {
                String s = Files.readString(p);
                if (s.contains("message/delivery-status")) {
                    dsn = s;
                }
            }
            assertThat(dsn).as("a success DSN in " + mail).isNotNull();
            var blocks = List.of(dsn.split("\r?\n\r?\n"));
            var perRecipient = blocks.stream().filter(b -> b.contains("Final-Recipient:")).toList();
            assertThat(perRecipient).hasSize(2);
            assertThat(perRecipient.get(0)).contains("Final-Recipient: rfc822; team@fabrikam.com")
                    .contains("Action: expanded").contains("Status: 2.1.5");
            assertThat(perRecipient.get(1)).contains("Original-Recipient: rfc822; solo@fabrikam.com")
                    .contains("Final-Recipient: rfc822; kate@fabrikam.com").contains("Action: delivered");
            assertThat(Pattern.compile("Action: delivered").matcher(dsn).results().count()).isEqualTo(1);
            assertThat(server.delivered("kate@fabrikam.com")).as("kate, reached by team and by solo: one copy")
                    .hasSize(1);
        }
    }
}
