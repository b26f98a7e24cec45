package dev.mailflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.auth.MessageAuthenticator;
import dev.mailflow.dns.DnsAnswer;
import dev.mailflow.dns.DnsResolver;
import dev.mailflow.dns.RecordType;
import dev.mailflow.smtp.MailAddress;
import dev.mailflow.smtp.MailParameters;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The checks at the end of data have one deadline in all: a DNS server that answers each
 * question slowly (within each lookup's own timeout) cannot hold a client for minutes.
 */
class EmailAuthenticationDeadlineTest {

    /** Answers every question after two seconds, with "no such name". */
    static final DnsResolver SLOW = new DnsResolver() {
        @Override
        public <T> DnsAnswer<T> lookup(String name, RecordType<T> type) {
            try {
                Thread.sleep(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return DnsAnswer.NotFound.of(DnsAnswer.NotFound.Kind.NO_SUCH_NAME);
        }
    };

    static ConnectorConfig connector(ConnectorConfig.SenderChecks checks) {
        return dev.mailflow.testing.TestConnectors.connector("Inbound",
                new ConnectorConfig.Access(true, List.of(), List.of()), new ConnectorConfig.AuthPolicy(false, false, 5),
                checks, ConnectorConfig.ConnectionFiltering.NONE, ConnectorConfig.RateLimits.NONE);
    }

    static SessionInfo session(ConnectorConfig c) {
        return new dev.mailflow.testing.StubSession(c);
    }

    static ReceivedMessage message() {
        // five signatures and a From: many slow lookups
        var sb = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            sb.append("DKIM-Signature: v=1; a=rsa-sha256; d=d").append(i).append(".test; s=s; c=relaxed/relaxed; ")
                    .append("h=from; bh=AAAA; b=AAAA\r\n");
        }
        byte[] bytes = sb.append("From: a@slow.test\r\nSubject: x\r\n\r\nbody\r\n").toString()
                .getBytes(StandardCharsets.US_ASCII);
        return new dev.mailflow.testing.StubMessage(bytes) {
            @Override
            public void addHeader(String field) {
                throw new AssertionError("no results when the checks did not finish");
            }
        };
    }

    private static PolicyVerdict endOfData(ConnectorConfig.SenderChecks checks) {
        var hook = new EmailAuthentication(new MessageAuthenticator(SLOW, "mx.example.test"), "mx.example.test",
                new ServerStats(), Duration.ofSeconds(1));
        var tx = new Transaction(new MailAddress("a", "slow.test"), MailParameters.NONE);
        return hook.onEndOfData(session(connector(checks)), tx, message());
    }

    @Test
    void slowDnsIsCutAtTheDeadline() {
        long start = System.nanoTime();
        var accepted = endOfData(new ConnectorConfig.SenderChecks(ConnectorConfig.SenderChecks.Mode.RECORD, false,
                false, true));
        assertThat(accepted).isEqualTo(PolicyVerdict.NEXT);
        var deferred = endOfData(new ConnectorConfig.SenderChecks(ConnectorConfig.SenderChecks.Mode.ENFORCE, false,
                true, true));
        assertThat(deferred).isInstanceOfSatisfying(PolicyVerdict.TempFail.class,
                t -> assertThat(t.reply().toString()).contains("451").contains("4.7.26"));
        // two checks of one second each, not the 20 s and more the lookups would take
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }
}
