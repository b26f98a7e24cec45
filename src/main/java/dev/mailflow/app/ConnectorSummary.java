package dev.mailflow.app;

import dev.mailflow.server.ConnectorConfig;

/** How a receive connector is described to the operator, at start and by check. */
final class ConnectorSummary {

    private ConnectorSummary() {
    }

    /**
     * {@code (anonymous, STARTTLS)}, {@code (authenticated clients only, implicit TLS)},
     * {@code (anonymous, STARTTLS, SPF and DMARC failures refused)}...
     */
    static String describe(ConnectorConfig c) {
        String tls = switch (c.tls()) {
            case STARTTLS -> c.requireTls() ? ", STARTTLS required" : ", STARTTLS";
            case IMPLICIT -> ", implicit TLS";
            case OFF -> "";
        };
        // Email authentication is told when it differs from the default (record).
        String checks = !c.anonymous() ? "" : switch (c.senderChecks().mode()) {
            case RECORD -> "";
            case OFF -> ", no SPF/DKIM/DMARC checks";
            case QUARANTINE -> ", SPF and DMARC failures held";
            case ENFORCE -> ", SPF and DMARC failures refused";
        };
        return (c.anonymous() ? "(anonymous" : "(authenticated clients only") + tls + checks + ")";
    }
}
