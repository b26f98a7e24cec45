package dev.mailflow.web;

import java.net.InetSocketAddress;

/**
 * The {@code [web]} table.
 *
 * @param enabled  whether the console runs
 * @param bind     where it listens (127.0.0.1:8025 by default)
 * @param password the admin password (bcrypt hash or plain), or null: one is made at first start
 * @param metricsLogin whether {@code /metrics} wants HTTP Basic credentials with the admin password
 */
public record WebConfig(boolean enabled, InetSocketAddress bind, String password, boolean metricsLogin) {
}
