package dev.mailflow.server;

import java.net.InetAddress;

/** What policy hooks may know about the connection. */
public interface SessionInfo {

    ConnectorConfig connector();

    InetAddress clientAddress();

    String heloName();

    /** The authenticated user, or null (authentication arrives with the submission connector). */
    String authenticatedUser();

    /**
     * The client is one of ours: it authenticated, or its address is in the connector's
     * relay_from. Checks meant for mail from strangers (SPF, DMARC) skip such clients.
     */
    default boolean ownClient() {
        return authenticatedUser() != null || connector().mayRelay(clientAddress());
    }
}
