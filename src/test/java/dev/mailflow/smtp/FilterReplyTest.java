package dev.mailflow.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A milter's own reply (replycode), read as Postfix reads it. */
class FilterReplyTest {

    @Test
    void oneLineAndSeveral() {
        var r = FilterReply.parse("554 5.7.1 Gtube pattern");
        assertThat(r.render()).isEqualTo("554 5.7.1 Gtube pattern\r\n");
        assertThat(FilterReply.parse("550-5.7.1 first\r\n550 5.7.1 second").render())
                .isEqualTo("550-5.7.1 first\r\n550 5.7.1 second\r\n");
    }

    @Test
    void aMissingOrWrongClassEnhancedCodeIsSupplied() {
        assertThat(FilterReply.parse("451 try later").render()).isEqualTo("451 4.7.1 try later\r\n");
        assertThat(FilterReply.parse("550 4.7.1 mixed up").render()).isEqualTo("550 5.7.1 mixed up\r\n");
    }

    @Test
    void notAnErrorReplyOrNotAReplyIsRefused() {
        for (String bad : List.of("250 2.0.0 ok", "hello", "", "5x0 bad", "550-5.7.1 a\r\n451 4.7.1 b", "5501 x")) {
            assertThat(FilterReply.parse(bad)).as(bad).isNull();
        }
    }

    @Test
    void aTrailingCarriageReturnIsNoPartOfTheText() {
        assertThat(FilterReply.parse("550 5.7.1 x\r").render()).isEqualTo("550 5.7.1 x\r\n");
    }

    @Test
    void controlCharactersNeverReachTheClient() {
        assertThat(FilterReply.parse("550 5.7.1 bad\u0007 text\u00e9").lines()).containsExactly("bad? text?");
    }
}
