package dev.mailflow.testing;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldif.LDIFReader;
import java.net.InetAddress;
import javax.net.ssl.SSLContext;

/**
 * UnboundID's in-memory directory server on a loopback port of its own, with the test
 * directory ({@code dev/mailflow/directory/directory.ldif}: people and domains under
 * dc=example,dc=test), no schema checks; plain LDAP, LDAP with StartTLS, or LDAPS. It can be
 * stopped and started again on the same port, as a directory server that goes down.
 */
public final class InMemoryLdap implements AutoCloseable {

    public static final String BASE = "dc=example,dc=test";
    public static final String PEOPLE = "ou=people," + BASE;
    public static final String DOMAINS = "ou=domains," + BASE;
    public static final String SERVICE_DN = "uid=mailflow," + PEOPLE;
    public static final String SERVICE_PASSWORD = "service-secret";

    /** How the server listens. */
    public enum Mode { PLAIN, START_TLS, LDAPS }

    private final InMemoryDirectoryServer server;
    private final int port;
    private final Mode mode;

    private InMemoryLdap(InMemoryDirectoryServer server, int port, Mode mode) {
        this.server = server;
        this.port = port;
        this.mode = mode;
    }

    public static InMemoryLdap start() throws Exception {
        return start(Mode.PLAIN, null);
    }

    /** @param tls the server's certificate (StartTLS or LDAPS); null for PLAIN */
    public static InMemoryLdap start(Mode mode, SSLContext tls) throws Exception {
        int port = Dnsmasq.freePort();
        var config = new InMemoryDirectoryServerConfig(BASE);
        config.setSchema(null);
        var loopback = InetAddress.getByName("127.0.0.1");
        config.setListenerConfigs(switch (mode) {
            case PLAIN -> InMemoryListenerConfig.createLDAPConfig("test", loopback, port, null);
            case START_TLS -> InMemoryListenerConfig.createLDAPConfig("test", loopback, port, tls.getSocketFactory());
            case LDAPS -> InMemoryListenerConfig.createLDAPSConfig("test", loopback, port,
                    tls.getServerSocketFactory(), null);
        });
        var server = new InMemoryDirectoryServer(config);
        try (var in = InMemoryLdap.class.getResourceAsStream("/dev/mailflow/directory/directory.ldif");
             var ldif = new LDIFReader(in)) {
            server.importFromLDIF(true, ldif);
        }
        server.startListening();
        return new InMemoryLdap(server, port, mode);
    }

    /** The URL to reach it: ldap://127.0.0.1:PORT, or ldaps:// for LDAPS. */
    public String url() {
        return (mode == Mode.LDAPS ? "ldaps" : "ldap") + "://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public InMemoryDirectoryServer server() {
        return server;
    }

    /** Stops listening and drops every connection: the server is down. */
    public void stop() {
        server.shutDown(true);
    }

    /** Listens again on the same port. */
    public void startAgain() throws Exception {
        server.startListening();
    }

    @Override
    public void close() {
        server.shutDown(true);
    }
}
