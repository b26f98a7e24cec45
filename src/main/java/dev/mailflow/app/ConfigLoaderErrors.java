package dev.mailflow.app;

import dev.mailflow.server.ConnectorConfig;

/** Errors found after loading (a port in use) told in the same one-line form as config errors. */
final class ConfigLoaderErrors {

    private ConfigLoaderErrors() {
    }

    static String bindError(MailflowConfig cfg, ConnectorConfig connector, String problem) {
        int index = cfg.server().connectors().indexOf(connector) + 1;
        return cfg.source() + ": receive_connector[" + index + "].bind (\"" + connector.name() + "\"): " + problem;
    }
}
