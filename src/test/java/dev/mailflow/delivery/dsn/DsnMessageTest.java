package dev.mailflow.delivery.dsn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.queue.Envelope;
import dev.mailflow.queue.EnvelopeRecipient;
import dev.mailflow.queue.RecipientState;
import dev.mailflow.queue.RemoteReply;
import dev.mailflow.smtp.DsnNotify;
import dev.mailflow.smtp.DsnReturn;
import dev.mailflow.smtp.EnhancedStatus;
import dev.mailflow.smtp.MailAddress;
import dev.mailflow.smtp.MailParameters;
import dev.mailflow.smtp.RcptParameters;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** DSNs against expected .eml files (style.md, principle 10): same inputs, same octets. */
class DsnMessageTest {

    static final Path FIXTURES = Path.of("src/test/resources/dsn");
    static final Instant RECEIVED = Instant.parse("2016-08-05T23:24:41Z");
    static final Instant NOW = Instant.parse("2016-08-05T23:25:10Z");
    static final byte[] ORIGINAL = ("Message-ID: <c89b4fcc@contoso.com>\r\nFrom: chris@contoso.com\r\n"
            + "To: kate@fabrikam.com\r\nSubject: Test from Contoso\r\n\r\nThis is a test message\r\n")
            .getBytes(StandardCharsets.US_ASCII);

    static Envelope envelope(DsnReturn ret) {
        var rcpt = new RcptParameters(Set.of(DsnNotify.SUCCESS, DsnNotify.FAILURE), "rfc822;kate@fabrikam.com");
        return new Envelope(1470439481000000L, "<c89b4fcc@contoso.com>", false, RECEIVED, "Default Frontend",
                "172.16.0.5", "contoso.com", "ESMTP", new MailAddress("chris", "contoso.com"),
                new MailParameters(null, null, false, ret, "QQ314159", null),
                List.of(new EnvelopeRecipient(new MailAddress("kate", "fabrikam.com"), rcpt)), ORIGINAL.length,
                null, null, false);
    }

    static RecipientState state(Envelope e, RecipientState.Status status, String code, String reason,
                                RemoteReply reply) {
        var r = e.recipients().get(0);
        return new RecipientState(r.address(), r.address(), r.parameters(), status, EnhancedStatus.of(code), reason,
                reply, NOW, false);
    }

    static final RemoteReply USER_UNKNOWN = new RemoteReply("mx.fabrikam.com", 550, EnhancedStatus.of("5.1.1"),
            List.of("<kate@fabrikam.com>: Recipient address rejected: User unknown"));

    private static void assertMatchesFixture(byte[] dsn, String name) throws Exception {
        Path fixture = FIXTURES.resolve(name);
        if (Boolean.getBoolean("mailflow.updateFixtures")) {
            Files.write(fixture, dsn);
        }
        assertThat(new String(dsn, StandardCharsets.UTF_8)).isEqualTo(Files.readString(fixture, StandardCharsets.UTF_8));
    }

    @Test
    void failureQuotingTheRemoteReplyWithHeadersOnly() throws Exception {
        var e = envelope(null);
        var r = state(e, RecipientState.Status.FAILED, "5.1.1",
                "mx.fabrikam.com[192.0.2.25]:25 refused the recipient (RCPT TO)", USER_UNKNOWN);
        byte[] dsn = DsnMessage.build(DsnKind.FAILURE, e, List.of(new DsnMessage.Entry(r, "failed", NOW)),
                new ByteArrayInputStream(ORIGINAL), "mail1.contoso.com", "dsn-1", NOW, ZoneOffset.ofHours(-7), null);
        assertMatchesFixture(dsn, "failure-550-user-unknown.eml");
    }

    @Test
    void failureWithTheFullMessageWhenRetFull() throws Exception {
        var e = envelope(DsnReturn.FULL);
        var r = state(e, RecipientState.Status.FAILED, "5.1.10",
                "fabrikam.com accepts no mail (null MX, RFC 7505)", null);
        byte[] dsn = DsnMessage.build(DsnKind.FAILURE, e, List.of(new DsnMessage.Entry(r, "failed", NOW)),
                new ByteArrayInputStream(ORIGINAL), "mail1.contoso.com", "dsn-2", NOW, ZoneOffset.ofHours(-7), null);
        assertMatchesFixture(dsn, "failure-null-mx-ret-full.eml");
    }

    @Test
    void successForLocalDelivery() throws Exception {
        var e = envelope(null);
        var r = state(e, RecipientState.Status.DELIVERED, "2.0.0", "delivered to maildir fabrikam.com/kate", null);
        byte[] dsn = DsnMessage.build(DsnKind.SUCCESS, e, List.of(new DsnMessage.Entry(r, "delivered", NOW)),
                new ByteArrayInputStream(ORIGINAL), "mail1.fabrikam.com", "dsn-3", NOW, ZoneOffset.UTC, null);
        assertMatchesFixture(dsn, "success-delivered.eml");
    }

    @Test
    void delayWithRetryUntil() throws Exception {
        var e = envelope(null);
        var r = state(e, RecipientState.Status.PENDING, "4.4.1",
                "connect to mx.fabrikam.com[192.0.2.25]:25: Connection refused", null);
        byte[] dsn = DsnMessage.build(DsnKind.DELAY, e, List.of(new DsnMessage.Entry(r, "delayed", NOW)),
                new ByteArrayInputStream(ORIGINAL), "mail1.contoso.com", "dsn-4", NOW, ZoneOffset.UTC,
                RECEIVED.plusSeconds(2 * 86400));
        assertMatchesFixture(dsn, "delay-connection-refused.eml");
    }

    @Test
    void aConnectionFailureBouncesWithOurDiagnosticNotAnSmtpOne() throws Exception {
        var e = envelope(null);
        var r = state(e, RecipientState.Status.FAILED, "5.4.1", "delivery time expired after 2 d; last error: "
                + "connect to mx.fabrikam.com[192.0.2.25]:25: Connection refused", null);
        byte[] dsn = DsnMessage.build(DsnKind.FAILURE, e, List.of(new DsnMessage.Entry(r, "failed", NOW)),
                new ByteArrayInputStream(ORIGINAL), "mail1.contoso.com", "dsn-5", NOW, ZoneOffset.UTC, null);
        assertMatchesFixture(dsn, "failure-connection-refused.eml");
        assertThat(new String(dsn, StandardCharsets.UTF_8)).doesNotContain("Remote-MTA").doesNotContain("smtp;");
    }

    @Test
    void aRemoteReplyCannotAddHeaderLinesAndLongOnesAreFolded() throws Exception {
        var e = envelope(null);
        var hostile = new RemoteReply("mx.fabrikam.com", 550, EnhancedStatus.of("5.7.1"),
                List.of("no\rX-Injected: yes", "x".repeat(600), "y".repeat(600)));
        var r = state(e, RecipientState.Status.FAILED, "5.7.1", "mx.fabrikam.com[192.0.2.25]:25 refused the message",
                hostile);
        String dsn = new String(DsnMessage.build(DsnKind.FAILURE, e, List.of(new DsnMessage.Entry(r, "failed", NOW)),
                new ByteArrayInputStream(ORIGINAL), "mail1.contoso.com", "dsn-6", NOW, ZoneOffset.UTC, null),
                StandardCharsets.UTF_8);
        assertThat(dsn).doesNotContain("\rX-Injected").contains("Diagnostic-Code: smtp; 550 5.7.1 no?X-Injected: yes")
                .doesNotContain("\r\nX-Injected");
        assertThat(dsn.split("\r\n")).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(998));
        assertThat(dsn).contains("\r\n " + "y".repeat(200));
    }
}
