package dev.mailflow.server;

import java.net.InetAddress;

/** What policy hooks may know about the connection. */
public interface SessionInfo {

    ConnectorConfig connector();

    InetAddress clientAddress();

    String heloName();

    /** The authenticated user, or null (authentication arrives with the submission connector). */
    String authenticatedUser();
}
