package dev.mailflow.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.smtp.EnhancedStatus;
import dev.mailflow.smtp.Reply;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A greylisting 451 at RCPT is recognised and explained as such, whichever server says it. */
class ExplanationsTest {

    private static Reply reply(int code, String status, String text) {
        return new Reply(code, EnhancedStatus.of(status), List.of(text));
    }

    @Test
    void greylistingRepliesOfTheCommonServers() {
        for (var r : List.of(reply(451, "4.7.1", "Greylisted, try again in 300 seconds"),
                reply(450, "4.2.0", "<kate@fabrikam.com>: Recipient address rejected: Greylisted, see "
                        + "http://postgrey.schweikert.ch/help/fabrikam.com.html"),
                reply(451, "4.7.1", "Please try again in 5 minutes"))) {
            assertThat(Explanations.reasons("RCPT", r)).as(r.firstLine()).singleElement().asString()
                    .startsWith("Greylisted: the server delays the first message");
        }
        assertThat(Explanations.reasons("RCPT", reply(451, "4.3.0", "Local error in processing")))
                .noneMatch(s -> s.startsWith("Greylisted"));
    }
}
