package dev.mailflow.directory;

import com.unboundid.ldap.sdk.BindRequest;
import com.unboundid.ldap.sdk.FailoverServerSet;
import com.unboundid.ldap.sdk.GetEntryLDAPConnectionPoolHealthCheck;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPURL;
import com.unboundid.ldap.sdk.PostConnectProcessor;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.ServerSet;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.ldap.sdk.SingleServerSet;
import com.unboundid.ldap.sdk.StartTLSPostConnectProcessor;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The connections to the directory servers (UnboundID's LDAP SDK): one pool for lookups,
 * bound as {@code bind_dn} (or anonymous), and one for checking users' passwords, where each
 * check is a simple bind as the user's entry (RFC 4513 5.1.3). The servers are tried in the
 * order given (failover); {@code ldaps://} is TLS from the first byte, {@code start_tls} runs
 * the StartTLS operation (RFC 4511 4.14) on {@code ldap://} before anything else is sent. TLS
 * checks the certificate against the given trust (the system's CAs and a {@code ca_file}) and
 * the URL's host name.
 *
 * <p>Nothing waits forever: a connect timeout and a response timeout bound every operation;
 * connections are opened when needed (a server down at start delays nothing), checked in the
 * background every 30 seconds (a read of the root DSE), replaced after an error, and an
 * operation that finds its connection dead is retried once on a new one (a restarted server).
 */
public final class LdapServers implements AutoCloseable {

    /** Lookups in flight at once before more connections are opened for a moment. */
    private static final int LOOKUP_CONNECTIONS = 8;
    private static final int BIND_CONNECTIONS = 4;
    private static final long HEALTH_CHECK_INTERVAL_MILLIS = 30_000;

    /**
     * How to reach the servers.
     *
     * @param urls           the servers, {@code ldap://host:port} or {@code ldaps://host:port}, in failover order
     * @param startTls       StartTLS on the {@code ldap://} servers
     * @param tls            the TLS context (its trust managers) for ldaps and StartTLS
     * @param bindDn         the DN lookups bind as, or null for anonymous lookups
     * @param bindPassword   its password, or null
     * @param connectTimeout how long a connection (TCP, TLS, StartTLS, bind) may take
     * @param timeout        how long the server may take to answer an operation
     */
    public record Settings(List<LDAPURL> urls, boolean startTls, SSLContext tls, String bindDn, String bindPassword,
                           Duration connectTimeout, Duration timeout) {
        public Settings {
            urls = List.copyOf(urls);
        }

        /** For messages and logs: "LDAP at ldap://127.0.0.1:389 (StartTLS)". */
        public String describe() {
            return "LDAP at " + urls.stream().map(LdapServers::format).collect(Collectors.joining(", "))
                    + (startTls && urls.stream().anyMatch(u -> u.getScheme().equals("ldap")) ? " (StartTLS)" : "");
        }

        @Override
        public String toString() {
            return "Settings[" + describe() + ", bindDn=" + bindDn + "]"; // never the password
        }
    }

    /** Result codes of a bind that mean "not this password (or not this account)", not "the server cannot say". */
    private static final Set<ResultCode> REFUSED = Set.of(ResultCode.INVALID_CREDENTIALS,
            ResultCode.INAPPROPRIATE_AUTHENTICATION, ResultCode.UNWILLING_TO_PERFORM, ResultCode.INVALID_DN_SYNTAX,
            ResultCode.NO_SUCH_OBJECT, ResultCode.INSUFFICIENT_ACCESS_RIGHTS, ResultCode.CONSTRAINT_VIOLATION);

    private static final PostConnectProcessor NOTHING_AFTER_CONNECT = new PostConnectProcessor() {
        @Override
        public void processPreAuthenticatedConnection(LDAPConnection connection) {
        }

        @Override
        public void processPostAuthenticatedConnection(LDAPConnection connection) {
        }
    };

    private final Settings settings;
    private final LDAPConnectionPool lookups;
    private final LDAPConnectionPool binds;

    private LdapServers(Settings settings, LDAPConnectionPool lookups, LDAPConnectionPool binds) {
        this.settings = settings;
        this.lookups = lookups;
        this.binds = binds;
    }

    /**
     * A URL of the {@code url} key: {@code ldap://host[:port]} or {@code ldaps://host[:port]},
     * nothing after the port.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static LDAPURL parseUrl(String text) {
        LDAPURL url;
        try {
            url = new LDAPURL(text);
        } catch (LDAPException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not an LDAP URL (ldap://HOST:PORT or "
                    + "ldaps://HOST:PORT)");
        }
        if (url.getScheme().equals("ldapi")) {
            throw new IllegalArgumentException("\"" + text + "\": ldapi:// (a Unix socket) is not supported; use "
                    + "ldap://HOST:PORT or ldaps://HOST:PORT");
        }
        if (!url.hostProvided()) {
            throw new IllegalArgumentException("\"" + text + "\" names no host (ldap://HOST:PORT)");
        }
        if (url.baseDNProvided() || url.attributesProvided() || url.scopeProvided() || url.filterProvided()) {
            throw new IllegalArgumentException("\"" + text + "\": only the scheme, host and port belong in url; "
                    + "set the base DN with search_base and the filter with query_filter");
        }
        return url;
    }

    static String format(LDAPURL url) {
        String host = url.getHost().contains(":") ? "[" + url.getHost() + "]" : url.getHost();
        return url.getScheme() + "://" + host + ":" + url.getPort();
    }

    /** The pools; no connection is opened yet (the first lookup opens one). */
    public static LdapServers open(Settings s) {
        var options = new LDAPConnectionOptions();
        options.setConnectTimeoutMillis((int) Math.min(Integer.MAX_VALUE, s.connectTimeout().toMillis()));
        options.setResponseTimeoutMillis(s.timeout().toMillis());
        options.setAbandonOnTimeout(true);
        options.setFollowReferrals(false);
        options.setUseKeepAlive(true);
        // The certificate must name the host of the URL, for ldaps and StartTLS alike.
        var tls = new HostChecking(s.tls().getSocketFactory());
        var sets = new ArrayList<ServerSet>();
        for (var url : s.urls()) {
            boolean ldaps = url.getScheme().equals("ldaps");
            SocketFactory sockets = ldaps ? tls : SocketFactory.getDefault();
            // UnboundID's failover set takes servers that all have a post-connect step or none:
            // with StartTLS on, an ldaps:// server gets one that does nothing.
            PostConnectProcessor startTls = !s.startTls() ? null : ldaps ? NOTHING_AFTER_CONNECT
                    : new StartTLSPostConnectProcessor(tls);
            sets.add(new SingleServerSet(url.getHost(), url.getPort(), sockets, options, null, startTls));
        }
        ServerSet servers = sets.size() == 1 ? sets.get(0) : new FailoverServerSet(sets);
        BindRequest bind = s.bindDn() == null ? null : new SimpleBindRequest(s.bindDn(),
                s.bindPassword() == null ? "" : s.bindPassword());
        try {
            return new LdapServers(s, pool(servers, bind, LOOKUP_CONNECTIONS, "mailflow-directory-lookups", s),
                    pool(servers, null, BIND_CONNECTIONS, "mailflow-directory-binds", s));
        } catch (LDAPException e) {
            // With no initial connection nothing is tried here; a failure is a bug in the settings.
            throw new IllegalStateException("cannot set up the LDAP connection pool: " + describe(e), e);
        }
    }

    private static LDAPConnectionPool pool(ServerSet servers, BindRequest bind, int size, String name, Settings s)
            throws LDAPException {
        var pool = new LDAPConnectionPool(servers, bind, 0, size, null, false);
        pool.setConnectionPoolName(name);
        pool.setRetryFailedOperationsDueToInvalidConnections(true);
        pool.setHealthCheck(new GetEntryLDAPConnectionPoolHealthCheck("", s.timeout().toMillis(), false, false,
                false, false, true, true));
        pool.setHealthCheckIntervalMillis(HEALTH_CHECK_INTERVAL_MILLIS);
        pool.setMaxConnectionAgeMillis(Duration.ofMinutes(30).toMillis());
        pool.setMaxWaitTimeMillis(Math.min(2_000, s.timeout().toMillis()));
        return pool;
    }

    public Settings settings() {
        return settings;
    }

    /** What the servers are, for messages: "LDAP at ldap://127.0.0.1:389". */
    public String describe() {
        return settings.describe();
    }

    /** A search on the lookups pool (bound as bind_dn). */
    SearchResult search(SearchRequest request) throws LDAPException {
        return lookups.search(request);
    }

    /**
     * A simple bind as {@code dn} with {@code password}, on the bind pool.
     *
     * @return true when the server accepted the password, false when it refused it
     * @throws LDAPException when the server could not say (down, timed out, busy)
     */
    boolean bind(String dn, String password) throws LDAPException {
        // RFC 4513 5.1.2: a DN with an empty password is an unauthenticated bind, which
        // many servers accept as anonymous. It is never a password check.
        if (password.isEmpty() || dn.isEmpty()) {
            return false;
        }
        for (int attempt = 0; ; attempt++) {
            LDAPConnection c = binds.getConnection();
            try {
                c.bind(new SimpleBindRequest(dn, password));
                binds.releaseConnection(c);
                return true;
            } catch (LDAPException e) {
                if (REFUSED.contains(e.getResultCode())) {
                    binds.releaseConnection(c); // a refused bind leaves the connection anonymous and usable
                    return false;
                }
                binds.releaseConnectionAfterException(c, e);
                if (attempt > 0 || e.getResultCode().isConnectionUsable()) {
                    throw e;
                }
                // The connection was dead (a restarted server): once more, on a new one.
            }
        }
    }

    /**
     * One line for a failure, in words an operator acts on, without the library's exception
     * text: "connection refused", "timed out", "TLS: the server's certificate is not trusted".
     */
    public static String describe(LDAPException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            // The JDK's host name check: "No subject alternative DNS name matching x found", "No name matching x found".
            if (t instanceof CertificateException && String.valueOf(t.getMessage()).contains(" matching ")) {
                return "TLS: the server's certificate does not name its host (the host of url)";
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateException || t instanceof SSLException
                    && String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT).contains("certificat")) {
                return "TLS: the server's certificate is not trusted (set ca_file to the CA that issued it)";
            }
            if (t instanceof SSLException) {
                return "TLS handshake failed";
            }
            if (t instanceof ConnectException) {
                return "connection refused";
            }
            if (t instanceof NoRouteToHostException) {
                return "no route to host";
            }
            if (t instanceof UnknownHostException) {
                return "unknown host";
            }
            if (t instanceof SocketTimeoutException) {
                return "timed out";
            }
        }
        var rc = e.getResultCode();
        String message = e.getDiagnosticMessage();
        if (rc == ResultCode.TIMEOUT) {
            return "timed out"; // connected, but no answer within the timeout
        }
        if (ResultCode.isClientSideResultCode(rc) || message == null || message.isBlank()) {
            return rc.getName();
        }
        return rc.getName() + ": " + safe(message);
    }

    /** A server's diagnostic message as one short printable line. */
    private static String safe(String message) {
        var sb = new StringBuilder();
        for (int i = 0; i < message.length() && sb.length() < 200; i++) {
            char c = message.charAt(i);
            if (c == '\r' || c == '\n') {
                break;
            }
            sb.append(c < 0x20 || c == 0x7f || Character.getType(c) == Character.FORMAT ? '?' : c);
        }
        return sb.toString().strip();
    }

    /**
     * TLS sockets whose handshake checks that the certificate names the host connected to
     * (RFC 4513 3.1.3, the JDK's "LDAPS" endpoint identification: DNS names, or IP addresses
     * for a URL with an address), besides the chain the trust managers check.
     */
    private static final class HostChecking extends SSLSocketFactory {
        private final SSLSocketFactory tls;

        HostChecking(SSLSocketFactory tls) {
            this.tls = tls;
        }

        private static Socket checked(Socket socket) {
            if (socket instanceof SSLSocket ssl) {
                var p = ssl.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("LDAPS");
                ssl.setSSLParameters(p);
            }
            return socket;
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return tls.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return tls.getSupportedCipherSuites();
        }

        @Override
        public Socket createSocket() throws IOException {
            return checked(tls.createSocket());
        }

        @Override
        public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
            return checked(tls.createSocket(s, host, port, autoClose));
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return checked(tls.createSocket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return checked(tls.createSocket(host, port, localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return checked(tls.createSocket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return checked(tls.createSocket(address, port, localAddress, localPort));
        }
    }

    @Override
    public void close() {
        lookups.close();
        binds.close();
    }
}
