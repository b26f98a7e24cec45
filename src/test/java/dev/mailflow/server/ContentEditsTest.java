package dev.mailflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A filter's header and body edits on the content, as Postfix applies a milter's. */
class ContentEditsTest {

    private static String apply(String content, ContentEdits.Edit... edits) throws Exception {
        var e = new ContentEdits();
        for (var edit : edits) {
            e.add(edit);
        }
        var out = new ByteArrayOutputStream();
        e.apply(new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)), out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static final String MESSAGE = "Received: from a\r\n\tby b\r\nSubject: one\r\nX-A: 1\r\nx-a: 2\r\n\r\nBody\r\n";

    @Test
    void appendInsertChangeAndRemove() throws Exception {
        assertThat(apply(MESSAGE, new ContentEdits.Append("X-Spam: no"), new ContentEdits.Insert(1, "X-First: yes"),
                new ContentEdits.Change("x-a", 2, "X-A: two"), new ContentEdits.Change("Subject", 1, null)))
                .isEqualTo("Received: from a\r\n\tby b\r\nX-First: yes\r\nX-A: 1\r\nX-A: two\r\nX-Spam: no\r\n\r\nBody\r\n");
    }

    @Test
    void changingAFieldThatIsNotThereAddsIt() throws Exception {
        assertThat(apply(MESSAGE, new ContentEdits.Change("X-New", 1, "X-New: v"), new ContentEdits.Change("X-Gone", 1,
                null))).isEqualTo("Received: from a\r\n\tby b\r\nSubject: one\r\nX-A: 1\r\nx-a: 2\r\nX-New: v\r\n\r\nBody\r\n");
    }

    @Test
    void insertPastTheEndAppendsAndTheBodyIsReplaced() throws Exception {
        assertThat(apply("Subject: s\r\n\r\nold\r\n", new ContentEdits.Insert(99, "X-Last: 1"),
                new ContentEdits.ReplaceBody("new\r\n".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("Subject: s\r\nX-Last: 1\r\n\r\nnew\r\n");
    }

    @Test
    void aMessageWithoutBodyOrWithoutHeader() throws Exception {
        assertThat(apply("Subject: s\r\n", new ContentEdits.Append("X-A: 1"))).isEqualTo("Subject: s\r\nX-A: 1\r\n");
        assertThat(apply("just text, no header\r\n", new ContentEdits.Insert(0, "X-A: 1")))
                .as("a first line that is no field is body").isEqualTo("X-A: 1\r\njust text, no header\r\n");
    }
}
