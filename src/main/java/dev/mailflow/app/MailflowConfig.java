package dev.mailflow.app;

import dev.mailflow.server.ServerConfig;

/**
 * The whole configuration, loaded and checked.
 *
 * @param source where it came from: a file path, or "(embedded defaults)"
 */
public record MailflowConfig(String source, dev.mailflow.web.WebConfig web, LogsConfig logs, ServerConfig server,
                             QueueConfig queue, DeliveryConfig delivery) {
}
