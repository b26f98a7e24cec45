package dev.mailflow.server.protection;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.mailflow.dns.Zone;
import dev.mailflow.server.Check;
import dev.mailflow.server.Cidr;
import dev.mailflow.server.ConnectorConfig;
import dev.mailflow.server.PolicyHook;
import dev.mailflow.server.PolicyVerdict;
import dev.mailflow.smtp.Command;
import dev.mailflow.smtp.CommandParser;
import dev.mailflow.testing.StubSession;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The connection filter's hook through the stages of a session, on an in-memory zone. */
class ConnectionFilterTest {

    private static final Zone DNS = Zone.builder()
            // RFC 5782 test point: 127.0.0.2 is listed, 127.0.0.1 is not
            .a("2.0.0.127.zen.example-list.test", "127.0.0.2")
            .a("3.0.0.127.zen.example-list.test", "127.0.0.3")
            .a("3.0.0.127.wl.example-list.test", "127.0.10.1")
            .a("4.0.0.127.zen.example-list.test", "127.255.255.254")
            .ptr("127.0.0.5", "client5.example.test").a("client5.example.test", "127.0.0.5")
            .ptr("127.0.0.6", "liar.example.test").a("liar.example.test", "192.0.2.1")
            .servfail("7.0.0.127.in-addr.arpa")
            .build();

    static ConnectorConfig connector(ConnectorConfig.ConnectionFiltering filtering, List<Cidr> relayFrom) {
        return dev.mailflow.testing.TestConnectors.connector("Inbound",
                new ConnectorConfig.Access(true, relayFrom, List.of()), new ConnectorConfig.AuthPolicy(false, false, 5),
                ConnectorConfig.SenderChecks.DEFAULT, filtering, ConnectorConfig.RateLimits.NONE);
    }

    static ConnectorConfig.ConnectionFiltering filtering(boolean allowPostmaster, boolean requireFcrdns) {
        return new ConnectorConfig.ConnectionFiltering(List.of(DnsList.parse("zen.example-list.test", true)),
                List.of(DnsList.parse("wl.example-list.test", false)), 1, allowPostmaster, Duration.ofSeconds(5),
                requireFcrdns, Duration.ZERO);
    }

    private final ConnectionFilter filter = new ConnectionFilter(DNS,
            Clock.fixed(Instant.parse("2026-12-02T10:00:00Z"), ZoneOffset.UTC));

    /** A session from this client through connect and EHLO: the hook to go on with. */
    private PolicyHook connected(StubSession session) {
        var hook = filter.hook().forSession(session);
        assertThat(hook.onConnect(session)).isEqualTo(PolicyVerdict.NEXT);
        assertThat(hook.onHelo(session, "client.example")).isEqualTo(PolicyVerdict.NEXT);
        return hook;
    }

    private static StubSession session(ConnectorConfig c, String client) throws Exception {
        return new StubSession(c, InetAddress.getByName(client));
    }

    private static PolicyVerdict rcpt(PolicyHook hook, StubSession session, String to) {
        return hook.onRcpt(session, null, (Command.Rcpt) CommandParser.parse("RCPT TO:<" + to + ">"));
    }

    @Test
    void aListedClientIsRefusedAtRcptWithTheListNamed() throws Exception {
        var s = session(connector(filtering(true, false), List.of()), "127.0.0.2");
        var hook = connected(s);
        var reputation = s.noted(ClientReputation.class);
        assertThat(reputation.blocked()).isTrue();
        assertThat(reputation.allowListed()).isFalse();
        var verdict = rcpt(hook, s, "kate@fabrikam.com");
        assertThat(verdict).isInstanceOf(PolicyVerdict.Reject.class);
        var reject = (PolicyVerdict.Reject) verdict;
        assertThat(reject.reply().render()).isEqualTo(
                "554 5.7.1 Service unavailable; client [127.0.0.2] blocked using zen.example-list.test\r\n");
        assertThat(reject.check()).isEqualTo(Check.DNSBL);
        assertThat(reject.describe()).isEqualTo("dnsbl zen.example-list.test");
    }

    @Test
    void postmasterStillGetsThroughUnlessTheConnectorSaysOtherwise() throws Exception {
        var s = session(connector(filtering(true, false), List.of()), "127.0.0.2");
        var hook = connected(s);
        assertThat(rcpt(hook, s, "postmaster@fabrikam.com")).isEqualTo(PolicyVerdict.NEXT);
        assertThat(rcpt(hook, s, "PostMaster@example.test")).isEqualTo(PolicyVerdict.NEXT);
        assertThat(hook.onRcpt(s, null, (Command.Rcpt) CommandParser.parse("RCPT TO:<Postmaster>")))
                .isEqualTo(PolicyVerdict.NEXT);

        var strict = session(connector(filtering(false, false), List.of()), "127.0.0.2");
        var strictHook = connected(strict);
        assertThat(rcpt(strictHook, strict, "postmaster@fabrikam.com")).isInstanceOf(PolicyVerdict.Reject.class);
    }

    @Test
    void aCleanClientPasses() throws Exception {
        var s = session(connector(filtering(true, false), List.of()), "127.0.0.1");
        var hook = connected(s);
        assertThat(s.noted(ClientReputation.class).blocked()).isFalse();
        assertThat(rcpt(hook, s, "kate@fabrikam.com")).isEqualTo(PolicyVerdict.NEXT);
    }

    @Test
    void ownClientsAreNotRefusedByBlockLists() throws Exception {
        var authenticated = session(connector(filtering(true, false), List.of()), "127.0.0.2");
        var hook = connected(authenticated);
        authenticated.authenticated("kate@fabrikam.com");
        assertThat(rcpt(hook, authenticated, "someone@elsewhere.test")).isEqualTo(PolicyVerdict.NEXT);

        var relay = session(connector(filtering(true, true), List.of(Cidr.parse("127.0.0.0/24"))), "127.0.0.2");
        var relayHook = connected(relay);
        assertThat(relay.noted(ClientReputation.class)).as("lists not asked about relay_from clients").isNull();
        assertThat(rcpt(relayHook, relay, "someone@elsewhere.test")).isEqualTo(PolicyVerdict.NEXT);
    }

    @Test
    void anAllowListedClientSkipsTheBlockListsAndTheReverseDnsRequirement() throws Exception {
        var s = session(connector(filtering(true, true), List.of()), "127.0.0.3");
        var hook = connected(s);
        var reputation = s.noted(ClientReputation.class);
        assertThat(reputation.allowListed()).isTrue();
        assertThat(reputation.listings()).isNotEmpty();
        assertThat(reputation.blocked()).isFalse();
        assertThat(rcpt(hook, s, "kate@fabrikam.com")).isEqualTo(PolicyVerdict.NEXT);
    }

    @Test
    void aListsErrorCodeIsLoggedLoudlyOnceAndTheMailPasses() throws Exception {
        var logger = (Logger) LoggerFactory.getLogger(ListWarnings.class);
        var appender = new ListAppender<ILoggingEvent>();
        appender.start();
        logger.addAppender(appender);
        try {
            for (int i = 0; i < 3; i++) {
                var s = session(connector(filtering(true, false), List.of()), "127.0.0.4");
                var hook = connected(s);
                var reputation = s.noted(ClientReputation.class);
                assertThat(reputation.blocked()).isFalse();
                assertThat(reputation.problems()).singleElement().extracting(ClientReputation.Problem::kind)
                        .isEqualTo(ClientReputation.Problem.Kind.LIST_ERROR);
                assertThat(rcpt(hook, s, "kate@fabrikam.com")).isEqualTo(PolicyVerdict.NEXT);
            }
        } finally {
            logger.detachAppender(appender);
        }
        assertThat(appender.list).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.WARN);
            assertThat(e.getFormattedMessage()).contains("zen.example-list.test").contains("127.255.255.254")
                    .contains("taken as not listed");
        });
        assertThat(filter.warnings().count("zen.example-list.test", ClientReputation.Problem.Kind.LIST_ERROR))
                .isEqualTo(3);
    }

    @Test
    void reverseDnsIsAlwaysNotedAtConnect() throws Exception {
        var plain = connector(ConnectorConfig.ConnectionFiltering.NONE, List.of());
        var s = session(plain, "127.0.0.5");
        var hook = filter.hook().forSession(s);
        hook.onConnect(s);
        var reverse = s.noted(ReverseDns.class);
        assertThat(reverse.confirmed()).isTrue();
        assertThat(reverse.clientName()).isEqualTo("client5.example.test");
        assertThat(s.noted(ClientReputation.class)).as("no lists on this connector").isNull();
        assertThat(rcpt(hook, s, "kate@fabrikam.com")).isEqualTo(PolicyVerdict.NEXT);
    }

    @Test
    void requiredReverseDns() throws Exception {
        var c = connector(new ConnectorConfig.ConnectionFiltering(List.of(), List.of(), 1, true,
                Duration.ofSeconds(5), true, Duration.ZERO), List.of());
        var confirmed = session(c, "127.0.0.5");
        assertThat(rcpt(connected(confirmed), confirmed, "kate@fabrikam.com")).isEqualTo(PolicyVerdict.NEXT);
        assertThat(confirmed.noted(ClientReputation.class)).isNull();

        var liar = session(c, "127.0.0.6");
        var liarHook = connected(liar);
        var refused = (PolicyVerdict.Reject) rcpt(liarHook, liar, "kate@fabrikam.com");
        assertThat(refused.reply().render()).startsWith("550 5.7.25 Reverse DNS validation failed; client [127.0.0.6]");
        assertThat(refused.check()).isEqualTo(Check.FCRDNS);
        assertThat(rcpt(liarHook, liar, "postmaster@fabrikam.com")).isEqualTo(PolicyVerdict.NEXT);

        var none = session(c, "127.0.0.8");
        assertThat(((PolicyVerdict.Reject) rcpt(connected(none), none, "kate@fabrikam.com")).describe())
                .isEqualTo("fcrdns no PTR record");

        var failing = session(c, "127.0.0.7");
        var temp = rcpt(connected(failing), failing, "kate@fabrikam.com");
        assertThat(temp).isInstanceOf(PolicyVerdict.TempFail.class);
        assertThat(((PolicyVerdict.TempFail) temp).reply().render()).startsWith("450 4.7.25 ");
    }
}
