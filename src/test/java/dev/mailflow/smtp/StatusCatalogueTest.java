package dev.mailflow.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.queue.DeliveryCodes;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The one status catalogue explains every enhanced code Mailflow can say: each reply of the
 * reply catalogue, and each code the delivery code gives an outcome (and its permanent form
 * at expiry); and the delivery code writes no code outside {@link DeliveryCodes}.
 */
class StatusCatalogueTest {

    /** Every reply of the catalogue: its constants, and its factories called with sample arguments. */
    static List<Reply> catalogue() throws Exception {
        var replies = new ArrayList<Reply>();
        for (var f : Reply.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == Reply.class) {
                replies.add((Reply) f.get(null));
            }
        }
        for (Method m : Reply.class.getDeclaredMethods()) {
            if (Modifier.isStatic(m.getModifiers()) && Modifier.isPublic(m.getModifiers())
                    && m.getReturnType() == Reply.class) {
                var args = new Object[m.getParameterCount()];
                var types = m.getParameterTypes();
                for (int i = 0; i < args.length; i++) {
                    args[i] = types[i] == String.class ? "mail.example.test"
                            : types[i] == long.class ? 1L
                            : types[i] == int.class ? 1
                            : types[i] == List.class ? List.of("PIPELINING")
                            : types[i] == ZonedDateTime.class ? ZonedDateTime.now() : null;
                }
                replies.add((Reply) m.invoke(null, args));
            }
        }
        return replies;
    }

    @Test
    void everyReplyOfTheCatalogueIsExplained() throws Exception {
        var replies = catalogue();
        assertThat(replies).hasSizeGreaterThan(40);
        for (var r : replies) {
            if (r.status() != null) {
                assertThat(StatusCatalogue.explains(r.status())).as(r.firstLine()).isTrue();
            }
        }
    }

    @Test
    void everyCodeTheDeliveryCodeCanGiveIsExplained() {
        var codes = DeliveryCodes.all();
        assertThat(codes).contains(EnhancedStatus.of("4.4.1"), EnhancedStatus.of("5.4.1"), EnhancedStatus.of("5.1.10"));
        for (var c : codes) {
            assertThat(StatusCatalogue.explains(c)).as(c.toString()).isTrue();
            assertThat(StatusCatalogue.forSenders(c)).as(c.toString()).isNotBlank();
        }
    }

    private static final Pattern CODE_LITERAL = Pattern.compile("\"[245]\\.\\d{1,3}\\.\\d{1,3}\"");

    @Test
    void theDeliveryCodeWritesNoCodeOutsideDeliveryCodes() throws Exception {
        var offenders = new ArrayList<String>();
        for (String dir : List.of("src/main/java/dev/mailflow/delivery", "src/main/java/dev/mailflow/queue")) {
            try (Stream<Path> files = Files.walk(Path.of(dir))) {
                for (Path p : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    if (p.getFileName().toString().equals("DeliveryCodes.java")) {
                        continue;
                    }
                    var m = CODE_LITERAL.matcher(Files.readString(p));
                    while (m.find()) {
                        offenders.add(p + ": " + m.group());
                    }
                }
            }
        }
        assertThat(offenders).isEmpty();
    }

    @Test
    void aCodeInWordsByClassSubjectAndDetail() {
        assertThat(StatusCatalogue.describe(EnhancedStatus.of("5.1.1")))
                .isEqualTo("5.1.1: Permanent failure / Addressing status / Bad destination mailbox address");
        assertThat(StatusCatalogue.meaning(EnhancedStatus.of("4.4.3")))
                .isEqualTo("Persistent transient failure / Network and routing status / Directory server failure");
        assertThat(StatusCatalogue.describe(EnhancedStatus.of("5.7.60"))).endsWith("send as this sender");
        assertThat(StatusCatalogue.entry(EnhancedStatus.of("5.7.60")).reference()).isEqualTo("Exchange");
    }

    @Test
    void aCodeOutsideTheRegistryIsStillSaidInWords() {
        var unknown = EnhancedStatus.of("5.7.999");
        assertThat(StatusCatalogue.explains(unknown)).isFalse();
        assertThat(StatusCatalogue.describe(unknown))
                .isEqualTo("5.7.999: Permanent failure / Security or policy status / detail 999 (not in the registry)");
        assertThat(StatusCatalogue.forSenders(unknown)).isEqualTo("The message was refused for a security or "
                + "policy reason.");
        assertThat(StatusCatalogue.forSenders(EnhancedStatus.of("5.1.1"))).startsWith("The e-mail address you "
                + "entered couldn't be found.");
    }

    @Test
    void theReplyCodesClassWinsOverAnEnhancedCodeThatDisagrees() {
        assertThat(EnhancedStatus.ofReply(450, EnhancedStatus.of("5.1.1"))).hasToString("4.0.0");
        assertThat(EnhancedStatus.ofReply(550, EnhancedStatus.of("2.1.5"))).hasToString("5.0.0");
        assertThat(EnhancedStatus.ofReply(550, EnhancedStatus.of("5.1.1"))).hasToString("5.1.1");
        assertThat(EnhancedStatus.ofReply(250, null)).hasToString("2.0.0");
        // The parser keeps a disagreeing code in the text rather than as the reply's status.
        assertThat(ReplyParser.build(450, List.of("5.1.1 mailbox unavailable")).status()).isNull();
    }
}
