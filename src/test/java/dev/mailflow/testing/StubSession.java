package dev.mailflow.testing;

import dev.mailflow.server.ConnectorConfig;
import dev.mailflow.server.SessionInfo;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;

/** A {@link SessionInfo} for unit tests of policy hooks, without a connection. */
public final class StubSession implements SessionInfo {

    private final ConnectorConfig connector;
    private final InetAddress client;
    private String heloName = "client.example";
    private String user;
    private String tls;
    private final Map<Class<?>, Object> notes = new HashMap<>();

    public StubSession(ConnectorConfig connector, InetAddress client) {
        this.connector = connector;
        this.client = client;
    }

    public StubSession(ConnectorConfig connector) {
        this(connector, InetAddress.getLoopbackAddress());
    }

    public StubSession helo(String name) {
        this.heloName = name;
        return this;
    }

    public StubSession authenticated(String user) {
        this.user = user;
        return this;
    }

    public StubSession tls(String tls) {
        this.tls = tls;
        return this;
    }

    @Override
    public ConnectorConfig connector() {
        return connector;
    }

    @Override
    public String id() {
        return "stub-session";
    }

    @Override
    public InetSocketAddress localAddress() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 25);
    }

    @Override
    public String tls() {
        return tls;
    }

    @Override
    public <T> void note(Class<T> type, T value) {
        notes.put(type, value);
    }

    @Override
    public <T> T noted(Class<T> type) {
        return type.cast(notes.get(type));
    }

    @Override
    public InetAddress clientAddress() {
        return client;
    }

    @Override
    public String heloName() {
        return heloName;
    }

    @Override
    public String authenticatedUser() {
        return user;
    }
}
