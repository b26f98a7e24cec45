package dev.mailflow.server;

import dev.mailflow.directory.Directory;
import java.nio.file.Path;
import java.util.List;

/**
 * What the receiving side needs to run: who we are, where data lives, which connectors,
 * whose mail, how much free disk the queue needs before a new transaction starts, and how
 * many Received headers a message may carry before it is refused as looping (RFC 5321 6.3),
 * and the TLS certificate (PEM chain and key; null for a self-signed one).
 */
public record ServerConfig(String hostname, Path dataDir, List<ConnectorConfig> connectors, Directory directory,
                           long minFreeSpace, int maxHops, Path tlsCertificate, Path tlsKey) {

    public ServerConfig {
        connectors = List.copyOf(connectors);
    }
}
