package dev.mailflow.milter;

import dev.mailflow.server.ConnectorConfig;
import dev.mailflow.server.PolicyHook;
import dev.mailflow.server.SessionInfo;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One milter of a connector, among its policy hooks: each SMTP session talks to it through a
 * {@link MilterSession} of its own (one connection per session, as Postfix does). It runs after
 * the policies, at every stage they let through ({@link #contentFilter}).
 */
public final class MilterHook implements PolicyHook {

    private static final Logger LOG = LoggerFactory.getLogger(MilterHook.class);
    /** A milter that is down is logged at most this often, not once per connection. */
    private static final Duration WARN_EVERY = Duration.ofMinutes(1);

    private final ConnectorConfig.Milter config;
    private final MilterEndpoint endpoint;
    private final String hostname;
    private final AtomicLong lastWarning = new AtomicLong();

    public MilterHook(ConnectorConfig.Milter config, String hostname) {
        this.config = config;
        this.endpoint = MilterEndpoint.parse(config.address());
        this.hostname = hostname;
    }

    @Override
    public boolean contentFilter() {
        return true;
    }

    @Override
    public PolicyHook forSession(SessionInfo session) {
        return new MilterSession(this, session);
    }

    ConnectorConfig.Milter config() {
        return config;
    }

    String hostname() {
        return hostname;
    }

    /** The milter's name in replies, logs and the tracking log: its address. */
    String name() {
        return endpoint.toString();
    }

    MilterClient newClient() {
        return new MilterClient(endpoint, config.connectTimeout(), config.commandTimeout(), config.contentTimeout());
    }

    /** A milter that cannot be used: logged loudly, but once a minute at most. */
    void unavailable(String sessionId, String why) {
        long now = System.nanoTime();
        long last = lastWarning.get();
        if ((last == 0 || now - last >= WARN_EVERY.toNanos()) && lastWarning.compareAndSet(last, now)) {
            LOG.warn("milter {} cannot be used ({}): mail gets milter_default_action = {} (session {}; "
                    + "logged once a minute)", name(), why, config.defaultAction().word(), sessionId);
        } else {
            LOG.debug("{}: milter {} cannot be used: {}", sessionId, name(), why);
        }
    }
}
