package dev.mailflow.app;

import dev.mailflow.server.ConnectorConfig;

/** How a receive connector is described to the operator, at start and by check. */
final class ConnectorSummary {

    private ConnectorSummary() {
    }

    /** {@code (anonymous, STARTTLS)}, {@code (authenticated clients only, implicit TLS)}... */
    static String describe(ConnectorConfig c) {
        String tls = switch (c.tls()) {
            case STARTTLS -> c.requireTls() ? ", STARTTLS required" : ", STARTTLS";
            case IMPLICIT -> ", implicit TLS";
            case OFF -> "";
        };
        return (c.anonymous() ? "(anonymous" : "(authenticated clients only") + tls + ")";
    }
}
