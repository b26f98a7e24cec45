package dev.mailflow.server.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.server.Check;
import dev.mailflow.server.ConnectorConfig;
import dev.mailflow.server.PolicyVerdict;
import dev.mailflow.testing.StubSession;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class RateLimitHookTest {

    static ConnectorConfig connector(ConnectorConfig.RateLimits rates) {
        return dev.mailflow.testing.TestConnectors.connector("Client Submission",
                new ConnectorConfig.Access(false, List.of(), List.of()), new ConnectorConfig.AuthPolicy(true, true, 5),
                ConnectorConfig.SenderChecks.DEFAULT, ConnectorConfig.ConnectionFiltering.NONE, rates);
    }

    static dev.mailflow.smtp.Command.Mail mail() {
        return (dev.mailflow.smtp.Command.Mail) dev.mailflow.smtp.CommandParser.parse("MAIL FROM:<kate@fabrikam.com>");
    }

    @Test
    void theUserLimitCountsAcrossSessionsAndIsNotSparedForOwnClients() {
        var clock = new Clock() {
            Instant now = Instant.parse("2026-12-02T10:00:00Z");

            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now;
            }
        };
        var rates = new ConnectorConfig.RateLimits(0, 0, 2, false, Duration.ofMinutes(5), Duration.ofDays(1),
                Duration.ofDays(36), 0, 0, Duration.ofSeconds(1));
        var hook = new RateLimitHook(new SlidingWindowCounters(), clock, "mail1.fabrikam.com");
        var c = connector(rates);
        assertThat(hook.onMail(new StubSession(c).authenticated("kate@fabrikam.com"), null, mail()))
                .isEqualTo(PolicyVerdict.NEXT);
        assertThat(hook.onMail(new StubSession(c).authenticated("Kate@Fabrikam.com"), null, mail()))
                .isEqualTo(PolicyVerdict.NEXT);
        var third = hook.onMail(new StubSession(c).authenticated("kate@fabrikam.com"), null, mail());
        assertThat(third).isInstanceOfSatisfying(PolicyVerdict.TempFail.class, t -> {
            assertThat(t.reply().render()).startsWith(
                    "450 4.7.0 Too many messages sent by kate@fabrikam.com: limit 2 per hour, try again later");
            assertThat(t.check()).isEqualTo(Check.RATE_LIMIT);
        });
        assertThat(hook.onMail(new StubSession(c).authenticated("other@fabrikam.com"), null, mail()))
                .isEqualTo(PolicyVerdict.NEXT);
        clock.now = clock.now.plus(Duration.ofMinutes(61));
        assertThat(hook.onMail(new StubSession(c).authenticated("kate@fabrikam.com"), null, mail()))
                .as("an hour later").isEqualTo(PolicyVerdict.NEXT);
    }
}
