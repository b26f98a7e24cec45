package dev.mailflow.server;

import dev.mailflow.directory.Directory;
import java.nio.file.Path;
import java.util.List;

/**
 * What the receiving side needs to run: who we are, where data lives, which connectors,
 * whose mail, and how much free disk the queue needs before a new transaction starts.
 */
public record ServerConfig(String hostname, Path dataDir, List<ConnectorConfig> connectors, Directory directory,
                           long minFreeSpace) {

    public ServerConfig {
        connectors = List.copyOf(connectors);
    }
}
