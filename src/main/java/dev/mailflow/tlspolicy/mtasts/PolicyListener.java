package dev.mailflow.tlspolicy.mtasts;

import dev.mailflow.dns.DnsNames;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTPS listener that publishes our MTA-STS policy (RFC 8461 3.2): it answers
 * {@code GET /.well-known/mta-sts.txt} with {@code Host: mta-sts.<domain>} for each domain the
 * {@link Source} knows, as {@code text/plain}, and 404 for any other host or path; nothing
 * else (it is not the console). One request per connection ({@code Connection: close}), over
 * TLS with the server's certificate (which must name {@code mta-sts.<domain>} for senders to
 * accept it).
 *
 * <p>SECURITY: anyone on the network may connect. The request line and headers are bounded
 * (8 KiB, read within 10 s), a request body is never read, at most 256 connections are served
 * at once (more are closed at once), and every answer is a fixed text.
 */
public final class PolicyListener implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyListener.class);
    static final int MAX_REQUEST_HEAD = 8 * 1024;
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    static final int MAX_CONNECTIONS = 256;

    /** What to serve. */
    @FunctionalInterface
    public interface Source {
        /** The policy text for a policy domain (normalized), or null when it is not one of ours. */
        String policyFor(String domain);
    }

    /** Makes the server side of TLS over an accepted socket (the server's certificate, protocols, ciphers). */
    @FunctionalInterface
    public interface TlsWrapper {
        SSLSocket wrap(Socket socket) throws IOException;
    }

    private final ServerSocket socket;
    private final TlsWrapper tls;
    private final Source source;
    private final Semaphore slots = new Semaphore(MAX_CONNECTIONS);
    private final Thread acceptor;

    private PolicyListener(ServerSocket socket, TlsWrapper tls, Source source) {
        this.socket = socket;
        this.tls = tls;
        this.source = source;
        this.acceptor = Thread.ofVirtual().name("mta-sts-listener").unstarted(this::acceptLoop);
    }

    /**
     * Listens on {@code bind} and starts serving.
     *
     * @throws IOException when the address cannot be listened on (a {@link java.net.BindException})
     */
    public static PolicyListener start(InetSocketAddress bind, TlsWrapper tls, Source source) throws IOException {
        var ss = new ServerSocket();
        try {
            ss.setReuseAddress(true);
            ss.bind(bind, 64);
        } catch (IOException e) {
            ss.close();
            throw e;
        }
        var listener = new PolicyListener(ss, Objects.requireNonNull(tls), Objects.requireNonNull(source));
        listener.acceptor.start();
        LOG.info("MTA-STS policy published on https://{}:{}/.well-known/mta-sts.txt", bind.getHostString(),
                ss.getLocalPort());
        return listener;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            Socket s;
            try {
                s = socket.accept();
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    LOG.warn("MTA-STS listener: accept failed: {}", e.getMessage());
                }
                continue;
            }
            if (!slots.tryAcquire()) {
                closeQuietly(s);
                continue;
            }
            Thread.ofVirtual().name("mta-sts-request").start(() -> {
                try {
                    serve(s);
                } finally {
                    slots.release();
                }
            });
        }
    }

    private void serve(Socket plain) {
        long deadline = System.nanoTime() + REQUEST_TIMEOUT.toNanos();
        try (plain; SSLSocket s = tls.wrap(plain)) {
            s.setSoTimeout((int) REQUEST_TIMEOUT.toMillis());
            s.startHandshake();
            var in = new BufferedInputStream(s.getInputStream());
            var out = s.getOutputStream();
            Request request;
            try {
                request = readRequest(in, s, deadline);
            } catch (BadRequest e) {
                respond(out, 400, "Bad Request", "bad request\n", false);
                return;
            }
            if (request == null) {
                return;
            }
            if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
                respond(out, 405, "Method Not Allowed", "only GET\n", false);
                return;
            }
            boolean head = request.method().equals("HEAD");
            String policy = request.path().equals(HttpsPolicyFetcher.PATH) ? policyForHost(request.host()) : null;
            if (policy == null) {
                respond(out, 404, "Not Found", "not found\n", head);
            } else {
                respond(out, 200, "OK", policy, head);
            }
        } catch (SocketTimeoutException e) {
            // a client that said too little in time: dropped
        } catch (IOException e) {
            LOG.debug("MTA-STS listener: {}: {}", plain.getRemoteSocketAddress(), e.getMessage());
        }
    }

    private String policyForHost(String host) {
        if (host == null) {
            return null;
        }
        String h = host;
        if (h.startsWith("[")) {
            return null; // an address literal names no policy host
        }
        int colon = h.indexOf(':');
        if (colon >= 0) {
            h = h.substring(0, colon);
        }
        var name = DnsNames.normalize(h);
        if (name.isEmpty() || !name.get().startsWith("mta-sts.")) {
            return null;
        }
        return source.policyFor(name.get().substring("mta-sts.".length()));
    }

    private record Request(String method, String path, String host) {
    }

    private static final class BadRequest extends IOException {
        BadRequest() {
            super("bad request", null);
        }
    }

    /** The request line and headers; null when the client closed before sending anything. */
    private static Request readRequest(InputStream in, Socket s, long deadline) throws IOException {
        int[] budget = {MAX_REQUEST_HEAD};
        String line = line(in, s, deadline, budget);
        if (line == null) {
            return null;
        }
        String[] parts = line.split(" ");
        if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
            throw new BadRequest();
        }
        String host = null;
        String h;
        while ((h = line(in, s, deadline, budget)) != null && !h.isEmpty()) {
            int colon = h.indexOf(':');
            if (colon <= 0) {
                throw new BadRequest();
            }
            if (h.substring(0, colon).strip().equalsIgnoreCase("host")) {
                if (host != null) {
                    throw new BadRequest(); // RFC 9112 3.2: two Host fields are a 400
                }
                host = h.substring(colon + 1).strip();
            }
        }
        if (h == null) {
            throw new BadRequest();
        }
        String path = parts[1];
        if (path.startsWith("https://") || path.startsWith("http://")) {
            // absolute form (RFC 9112 3.2.2): its authority is the host
            try {
                var uri = new java.net.URI(path);
                host = uri.getRawAuthority();
                path = uri.getRawPath();
            } catch (java.net.URISyntaxException e) {
                throw new BadRequest();
            }
        }
        return new Request(parts[0], path, host);
    }

    private static String line(InputStream in, Socket s, long deadline, int[] budget) throws IOException {
        var sb = new StringBuilder();
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new SocketTimeoutException("request too slow");
            }
            s.setSoTimeout((int) left);
            int b = in.read();
            if (b < 0) {
                return sb.isEmpty() ? null : sb.toString();
            }
            if (--budget[0] < 0) {
                throw new BadRequest();
            }
            if (b == '\n') {
                int last = sb.length() - 1;
                return last >= 0 && sb.charAt(last) == '\r' ? sb.substring(0, last) : sb.toString();
            }
            sb.append((char) b);
        }
    }

    private static void respond(OutputStream out, int status, String reason, String body, boolean head)
            throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String headers = "HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + b.length + "\r\n" + (status == 405 ? "Allow: GET, HEAD\r\n" : "")
                + "Cache-Control: no-store\r\nConnection: close\r\n\r\n";
        out.write(headers.getBytes(StandardCharsets.US_ASCII));
        if (!head) {
            out.write(b);
        }
        out.flush();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing
        }
        acceptor.interrupt();
    }
}
