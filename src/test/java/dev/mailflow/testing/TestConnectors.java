package dev.mailflow.testing;

import dev.mailflow.server.ConnectorConfig;
import java.net.InetSocketAddress;
import java.time.Duration;

/** A receive connector for unit tests of policy hooks: the usual limits and timeouts, no TLS. */
public final class TestConnectors {

    private TestConnectors() {
    }

    public static ConnectorConfig connector(String name, ConnectorConfig.Access access, ConnectorConfig.AuthPolicy auth,
                                            ConnectorConfig.SenderChecks checks,
                                            ConnectorConfig.ConnectionFiltering filtering,
                                            ConnectorConfig.RateLimits rates) {
        return new ConnectorConfig(name, new InetSocketAddress("127.0.0.1", 0), access,
                new ConnectorConfig.Limits(1 << 20, 100, 100, 10, 10, 20),
                new ConnectorConfig.Timeouts(Duration.ofMinutes(5), Duration.ofMinutes(3), 500, Duration.ofSeconds(30)),
                new ConnectorConfig.TlsPolicy(ConnectorConfig.Tls.OFF, false), auth, checks, "ESMTP", false,
                filtering, rates, ConnectorConfig.Milters.NONE, ConnectorConfig.Simulation.OFF);
    }
}
