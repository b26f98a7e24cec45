package dev.mailflow.auth.dmarc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.auth.dkim.ParsedMessage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Author Domain of RFC 9989 5.3.1: the name check, and the From fields read from a parsed message. */
class AuthorDomainsTest {

    /** Host names and DNS's underscore labels, as a regular expression: what the check answers to. */
    private static final Pattern LDH = Pattern.compile(
            "[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*");

    @Test
    void theNameCheckAgreesWithThePatternOnEveryCase() {
        String label63 = "a".repeat(63);
        List<String> names = List.of("example.test", "a", "_dmarc.example.test", "a-b.c", "-a.test", "a-.test",
                "a..test", ".test", "test.", "", "a_b.test", "x.y.z", "exa mple.test", "ex@mple.test", "b\u00fccher.test",
                label63 + ".test", label63 + "a.test", "1.2", "a.-", "a.b-c-d.e");
        for (String n : names) {
            assertThat(AuthorDomains.isLdh(n)).as("\"%s\"", n).isEqualTo(LDH.matcher(n).matches());
        }
    }

    @Test
    void fromFieldsAreReadFromTheParsedMessageWithWhiteSpaceInAddressesDropped() {
        var message = ParsedMessage.of(("Received: by mx.test\r\nFrom: \"A, B\" <a @ Example.TEST>\r\n"
                + "from: c@other.test\r\nSubject: two From fields\r\n\r\nbody\r\n").getBytes(StandardCharsets.ISO_8859_1));
        var result = AuthorDomains.of(message);
        assertThat(result.problem()).isNull();
        assertThat(result.fields()).isEqualTo(2);
        assertThat(result.domains()).containsExactly("example.test", "other.test");
        assertThat(AuthorDomains.mailboxes("x\u000b@\fy.test")).containsExactly("x@y.test");
    }
}
