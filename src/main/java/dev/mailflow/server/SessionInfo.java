package dev.mailflow.server;

import java.net.InetAddress;

/** What policy hooks may know about the connection. */
public interface SessionInfo {

    ConnectorConfig connector();

    /** The session's id in the protocol log (and the milter's connection). */
    String id();

    /** Our end of the connection. */
    java.net.InetSocketAddress localAddress();

    /** The TLS protocol and cipher when the connection is encrypted, else null. */
    String tls();

    /**
     * Notes one hook leaves for another about the connection, by type (the client's
     * forward-confirmed name for the milter's {@code {client_name}}); see
     * {@link Transaction#note} for notes about one transaction.
     */
    <T> void note(Class<T> type, T value);

    /** What was noted under this type for the connection, or null. */
    <T> T noted(Class<T> type);

    InetAddress clientAddress();

    /** The client's port, or 0 when unknown (the milter's {@code {client_port}}). */
    default int clientPort() {
        return 0;
    }

    String heloName();

    /**
     * Adds an information line ({@code *}) to the connection's protocol log, when the connector
     * keeps one: what a check found (the client's confirmed name, a list that listed it).
     */
    default void protocolLog(String text) {
    }

    /** The authenticated user, or null (authentication arrives with the submission connector). */
    String authenticatedUser();

    /** The SASL mechanism the user authenticated with ({@code PLAIN}, {@code LOGIN}), or null. */
    default String authMechanism() {
        return null;
    }

    /**
     * The client is one of ours: it authenticated, or its address is in the connector's
     * relay_from. Checks meant for mail from strangers (SPF, DMARC) skip such clients.
     */
    default boolean ownClient() {
        return authenticatedUser() != null || connector().mayRelay(clientAddress());
    }
}
