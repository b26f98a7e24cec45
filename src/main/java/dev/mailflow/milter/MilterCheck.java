package dev.mailflow.milter;

import dev.mailflow.server.ConnectorConfig;
import java.time.Duration;

/** Whether a configured milter answers now, for {@code mailflow check}: it connects and negotiates, then quits. */
public final class MilterCheck {

    private MilterCheck() {
    }

    /** {@code answers (milter protocol 6)}, or why not and what mail gets meanwhile. */
    public static String describe(ConnectorConfig.Milter milter) {
        Duration timeout = min(milter.connectTimeout(), Duration.ofSeconds(5));
        var client = new MilterClient(MilterEndpoint.parse(milter.address()), timeout, min(milter.commandTimeout(),
                Duration.ofSeconds(5)), milter.contentTimeout());
        try {
            client.negotiate();
            return "answers (milter protocol " + client.version() + ")";
        } catch (MilterException e) {
            return "does NOT answer now (" + e.getMessage() + "): mail gets milter_default_action = "
                    + milter.defaultAction().word();
        } finally {
            client.close();
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) < 0 ? a : b;
    }
}
