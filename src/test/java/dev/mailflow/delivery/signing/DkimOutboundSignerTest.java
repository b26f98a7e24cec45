package dev.mailflow.delivery.signing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.auth.dkim.DkimKeyGenerator;
import dev.mailflow.auth.dkim.DkimKeyLookup;
import dev.mailflow.auth.dkim.DkimPolicy;
import dev.mailflow.auth.dkim.DkimResult;
import dev.mailflow.auth.dkim.DkimSigningKey;
import dev.mailflow.auth.dkim.DkimVerifier;
import dev.mailflow.queue.Envelope;
import dev.mailflow.queue.EnvelopeRecipient;
import dev.mailflow.smtp.MailAddress;
import dev.mailflow.smtp.MailParameters;
import dev.mailflow.smtp.RcptParameters;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Which outgoing mail is signed, with which keys and over which fields: our own users' mail
 * is, anonymous internet mail never is (even with our From), the From domain or its parent
 * picks the keys, each key gives a signature, From and the other visible fields are
 * oversigned, and trace fields are not signed.
 */
class DkimOutboundSignerTest {

    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T12:00:00Z"), ZoneOffset.UTC);
    static final Map<String, String> DNS = new HashMap<>();
    static DkimOutboundSigner signer;

    static final String MESSAGE = "From: Kate <kate@example.test>\r\n"
            + "To: chris@contoso.test\r\n"
            + "Subject: Quarterly report\r\n"
            + "Date: Tue, 1 Dec 2026 12:00:00 +0000\r\n"
            + "Message-ID: <q4@example.test>\r\n"
            + "X-Mailer: test\r\n"
            + "Received: from laptop by mail.example.test; Tue, 1 Dec 2026 12:00:00 +0000\r\n"
            + "\r\n"
            + "The figures are attached.\r\n";

    @BeforeAll
    static void keys() throws Exception {
        KeyPair rsa = DkimKeyGenerator.rsa(2048);
        KeyPair ed = DkimKeyGenerator.ed25519();
        KeyPair other = DkimKeyGenerator.ed25519();
        DNS.put("r2026._domainkey.example.test", DkimKeyGenerator.keyRecord(rsa.getPublic()));
        DNS.put("e2026._domainkey.example.test", DkimKeyGenerator.keyRecord(ed.getPublic()));
        DNS.put("o._domainkey.other.test", DkimKeyGenerator.keyRecord(other.getPublic()));
        signer = new DkimOutboundSigner(new DkimKeyring(List.of(
                DkimSigningKey.fromPem("example.test", "r2026", DkimKeyGenerator.privateKeyPem(rsa)),
                DkimSigningKey.fromPem("example.test", "e2026", DkimKeyGenerator.privateKeyPem(ed)),
                DkimSigningKey.fromPem("other.test", "o", DkimKeyGenerator.privateKeyPem(other))), CLOCK));
    }

    static Envelope envelope(String authUser, boolean trustedOrigin) {
        return new Envelope(7, "<q4@example.test>", false, CLOCK.instant(), "Client Submission", "192.0.2.7",
                "laptop", "ESMTPSA", new MailAddress("kate", "example.test"), MailParameters.NONE,
                List.of(new EnvelopeRecipient(new MailAddress("chris", "contoso.test"), new RcptParameters(null, null))),
                MESSAGE.length(), null, authUser, false, List.of(), null, trustedOrigin);
    }

    static String fields(Envelope e, String message) throws Exception {
        byte[] b = message.getBytes(StandardCharsets.UTF_8);
        return signer.fieldsFor(e, () -> new ByteArrayInputStream(b));
    }

    static List<DkimResult> verify(String signedMessage) {
        DkimKeyLookup lookup = (selector, domain) -> {
            String r = DNS.get((selector + "._domainkey." + domain).toLowerCase(Locale.ROOT));
            return r == null ? new DkimKeyLookup.NotFound() : new DkimKeyLookup.Found(List.of(r));
        };
        return new DkimVerifier(lookup, CLOCK, DkimPolicy.standard())
                .verify(signedMessage.getBytes(StandardCharsets.UTF_8)).signatures();
    }

    /** The h= list of a DKIM-Signature field, lowercase. */
    static List<String> signedHeaders(String field) {
        var m = Pattern.compile("h=([^;]*);").matcher(field.replaceAll("\r\n[ \t]", ""));
        assertThat(m.find()).isTrue();
        return Arrays.stream(m.group(1).split(":")).map(s -> s.strip().toLowerCase(Locale.ROOT)).toList();
    }

    @Test
    void mailOfAnAuthenticatedClientGetsOneSignaturePerKeyOfItsFromDomain() throws Exception {
        String f = fields(envelope("kate@example.test", false), MESSAGE);
        var results = verify(f + MESSAGE);
        assertThat(results).hasSize(2).allMatch(DkimResult::passed);
        assertThat(results).extracting(DkimResult::selector).containsExactly("r2026", "e2026");
        assertThat(results).extracting(DkimResult::algorithm).containsExactly("rsa-sha256", "ed25519-sha256");
        assertThat(f).contains("c=relaxed/relaxed;").doesNotContain("l=");
    }

    @Test
    void mailFromARelayFromClientOrTheServerItselfIsSignedToo() throws Exception {
        assertThat(verify(fields(envelope(null, true), MESSAGE) + MESSAGE)).hasSize(2).allMatch(DkimResult::passed);
    }

    @Test
    void anonymousMailIsNeverSignedEvenWithOurFrom() throws Exception {
        // SECURITY: a forged From: kate@example.test from the internet, forwarded on by an alias.
        assertThat(fields(envelope(null, false), MESSAGE)).isEmpty();
    }

    @Test
    void theFromDomainOrItsNearestParentChoosesTheKeys() throws Exception {
        String sub = MESSAGE.replace("kate@example.test", "news@lists.example.test");
        String f = fields(envelope("kate@example.test", false), sub);
        assertThat(f).contains("d=example.test;");
        assertThat(verify(f + sub)).hasSize(2).allMatch(DkimResult::passed);

        String other = MESSAGE.replace("kate@example.test", "kate@other.test");
        assertThat(verify(fields(envelope("kate@example.test", false), other) + other))
                .singleElement().satisfies(r -> assertThat(r.domain()).isEqualTo("other.test"));

        for (String from : List.of("kate@notours.test", "kate@example.test.evil.test", "kate@xexample.test")) {
            assertThat(fields(envelope("kate@example.test", false), MESSAGE.replace("kate@example.test", from)))
                    .as(from).isEmpty();
        }
        assertThat(fields(envelope("kate@example.test", false),
                MESSAGE.replace("From: Kate <kate@example.test>\r\n", ""))).as("no From").isEmpty();
    }

    @Test
    void fromAndTheVisibleFieldsAreOversignedAndTraceFieldsAreNot() throws Exception {
        String f = fields(envelope("kate@example.test", false), MESSAGE);
        var h = signedHeaders(f);
        assertThat(h.stream().filter("from"::equals)).as("From once more than present").hasSize(2);
        assertThat(h.stream().filter("to"::equals)).hasSize(2);
        assertThat(h.stream().filter("subject"::equals)).hasSize(2);
        assertThat(h).contains("reply-to", "cc", "date", "message-id")
                .doesNotContain("received", "x-mailer", "dkim-signature", "return-path");
        // Oversigning at work: an added second From breaks the signatures.
        String forged = f + "From: boss@example.test\r\n" + MESSAGE;
        assertThat(verify(forged)).hasSize(2).noneMatch(DkimResult::passed);
        // A Received field added above (the next hop's) does not.
        String relayed = "Received: from mail.example.test by mx.contoso.test; Tue, 1 Dec 2026 12:00:01 +0000\r\n"
                + f + MESSAGE;
        assertThat(verify(relayed)).hasSize(2).allMatch(DkimResult::passed);
    }

    @Test
    void withoutKeysNothingIsRead() throws Exception {
        var none = new DkimOutboundSigner(DkimKeyring.EMPTY);
        assertThat(none.fieldsFor(envelope("kate@example.test", false), () -> {
            throw new AssertionError("read");
        })).isEmpty();
    }
}
