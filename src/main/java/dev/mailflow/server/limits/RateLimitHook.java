package dev.mailflow.server.limits;

import dev.mailflow.server.Check;
import dev.mailflow.server.PolicyHook;
import dev.mailflow.server.PolicyVerdict;
import dev.mailflow.server.SessionInfo;
import dev.mailflow.server.Transaction;
import dev.mailflow.server.auth.ClientNetwork;
import dev.mailflow.smtp.Command;
import dev.mailflow.smtp.Reply;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;

/**
 * The connector's rate limits, each a 4xx with the limit in its text: messages (at MAIL) and
 * recipients (at RCPT) per client address and hour, and messages per authenticated user and
 * hour. A refused command is not counted; the client may try again when the hour moves on.
 * Per-address counts are per connector (each has its own limits); the per-user count is over
 * all connectors, since a stolen password can use any of them.
 */
public final class RateLimitHook implements PolicyHook {

    static final Duration HOUR = Duration.ofHours(1);

    static final Duration MINUTE = Duration.ofMinutes(1);

    private final RateCounters counters;
    private final Clock clock;
    private final String hostname;

    public RateLimitHook(RateCounters counters, Clock clock, String hostname) {
        this.counters = counters;
        this.clock = clock;
        this.hostname = hostname;
    }

    @Override
    public PolicyVerdict onConnect(SessionInfo session) {
        var limits = session.connector().rates();
        if (limits.connectionsPerMinute() > 0 && !session.connector().mayRelay(session.clientAddress())
                && !counters.tryAcquire(key(session, "connections"), limits.connectionsPerMinute(), MINUTE,
                clock.instant())) {
            return new PolicyVerdict.Disconnect(Reply.connectionRateExceeded(hostname,
                    session.clientAddress().getHostAddress(), limits.connectionsPerMinute()), Check.RATE_LIMIT,
                    "connections per IP per minute (" + limits.connectionsPerMinute() + ")");
        }
        return PolicyVerdict.NEXT;
    }

    @Override
    public PolicyVerdict onMail(SessionInfo session, Transaction transaction, Command.Mail mail) {
        var limits = session.connector().rates();
        String user = session.authenticatedUser();
        if (user != null && limits.userMessagesPerHour() > 0
                && !counters.tryAcquire("user " + user.toLowerCase(Locale.ROOT), limits.userMessagesPerHour(), HOUR,
                clock.instant())) {
            return new PolicyVerdict.TempFail(Reply.userMessageRateExceeded(user, limits.userMessagesPerHour()),
                    Check.RATE_LIMIT, "messages per user per hour (" + limits.userMessagesPerHour() + ")");
        }
        if (limits.messagesPerHour() > 0 && !session.ownClient()
                && !counters.tryAcquire(key(session, "messages"), limits.messagesPerHour(), HOUR, clock.instant())) {
            return new PolicyVerdict.TempFail(Reply.messageRateExceeded(session.clientAddress().getHostAddress(),
                    limits.messagesPerHour()), Check.RATE_LIMIT,
                    "messages per IP per hour (" + limits.messagesPerHour() + ")");
        }
        return PolicyVerdict.NEXT;
    }

    @Override
    public PolicyVerdict onRcpt(SessionInfo session, Transaction transaction, Command.Rcpt rcpt) {
        var limits = session.connector().rates();
        if (limits.recipientsPerHour() > 0 && !session.ownClient()
                && !counters.tryAcquire(key(session, "recipients"), limits.recipientsPerHour(), HOUR,
                clock.instant())) {
            return new PolicyVerdict.TempFail(Reply.recipientRateExceeded(session.clientAddress().getHostAddress(),
                    limits.recipientsPerHour()), Check.RATE_LIMIT,
                    "recipients per IP per hour (" + limits.recipientsPerHour() + ")");
        }
        return PolicyVerdict.NEXT;
    }

    /** The client as one host (an IPv4 address or an IPv6 /64), on this connector. */
    private static String key(SessionInfo session, String what) {
        return what + " " + session.connector().name() + " " + ClientNetwork.of(session.clientAddress());
    }
}
