package dev.mailflow.tlspolicy.mtasts;

import dev.mailflow.MailflowVersion;
import dev.mailflow.client.SocketDeadline;
import dev.mailflow.dns.DnsAnswer;
import dev.mailflow.dns.DnsResolver;
import dev.mailflow.tlspolicy.WebPki;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/**
 * Fetches {@code https://mta-sts.<domain>/.well-known/mta-sts.txt} (RFC 8461 3.3) with a small
 * HTTP/1.1 client over an {@link SSLSocket}, not {@code java.net.http.HttpClient}: the policy
 * host's addresses come from our {@link DnsResolver} (the configured DNS server, so that tests
 * point {@code mta-sts.example.test} at loopback), and HttpClient can only ask the system's
 * resolver. The socket is opened to the resolved address while SNI, the {@code Host} header and
 * the certificate check all use the policy host name.
 *
 * <ul>
 * <li>The certificate must be WebPKI-valid for {@code mta-sts.<domain>} ({@link WebPki}, with
 *     the configured trust anchors); a failure gives its reason.
 * <li>Only a 200 is a policy; a 3xx is a failure (redirects MUST NOT be followed), as is any
 *     other status. No cache headers are sent or honoured (3.3: HTTP caching MUST NOT be used).
 * <li>{@code Content-Type} must be {@code text/plain} (3.2; parameters such as charset allowed).
 * <li>The body is at most 64 KiB and UTF-8; one deadline (60 s by default, as 3.3 suggests)
 *     covers the connection, the handshake and every read, so a server that trickles octets
 *     cannot hold delivery longer.
 * <li>The port is {@code [delivery] mta_sts_port} (443; tests use a loopback port).
 * </ul>
 *
 * Addresses are tried A first, then AAAA, moving on only when a connection cannot be made.
 */
public final class HttpsPolicyFetcher implements PolicyFetcher {

    /** RFC 8461 3.3: a timeout of one minute is suggested. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    /** RFC 8461 3.3: a body size limit of 64 KiB is suggested. */
    public static final int MAX_BODY = 64 * 1024;
    static final String PATH = "/.well-known/mta-sts.txt";
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final DnsResolver dns;
    private final WebPki webPki;
    private final int port;
    private final Duration timeout;

    /**
     * @param port    the HTTPS port of policy hosts: 443, or a test's loopback port
     * @param timeout one deadline for the whole fetch
     */
    public HttpsPolicyFetcher(DnsResolver dns, WebPki webPki, int port, Duration timeout) {
        this.dns = Objects.requireNonNull(dns);
        this.webPki = Objects.requireNonNull(webPki);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(port + " is not a port number");
        }
        this.port = port;
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the timeout must be longer than zero");
        }
        this.timeout = timeout;
    }

    /** The policy URL of a domain, as messages show it. */
    public String url(String domain) {
        return "https://mta-sts." + domain + (port == 443 ? "" : ":" + port) + PATH;
    }

    @Override
    public Result fetch(String domain) {
        String host = "mta-sts." + domain;
        String url = url(domain);
        long deadline = System.nanoTime() + timeout.toNanos();
        var addresses = new ArrayList<InetAddress>();
        String dnsProblem = resolve(host, addresses);
        if (addresses.isEmpty()) {
            return new Failed(dnsProblem);
        }
        Socket socket = null;
        var refused = new ArrayList<String>();
        for (var address : addresses) {
            long left = remainingMillis(deadline);
            if (left <= 0) {
                break;
            }
            var s = new Socket();
            try {
                s.connect(new InetSocketAddress(address, port), (int) Math.min(Integer.MAX_VALUE, left));
                socket = s;
                break;
            } catch (IOException e) {
                closeQuietly(s);
                refused.add(address.getHostAddress() + ": " + (e instanceof SocketTimeoutException ? "timed out"
                        : String.valueOf(e.getMessage())));
            }
        }
        if (socket == null) {
            return new Failed("cannot connect to " + host + " port " + port + " ("
                    + (refused.isEmpty() ? "no time left" : String.join("; ", refused)) + ")");
        }
        // One deadline for handshake, request and response: the per-read timeouts alone let a
        // server that trickles its handshake hold the fetch (and the domain's lock) for hours.
        var watchdog = SocketDeadline.closeAt(socket, deadline);
        try (var tls = (SSLSocket) webPki.sslContext(host).getSocketFactory().createSocket(socket, host, port, true)) {
            var params = tls.getSSLParameters();
            params.setServerNames(List.of(new SNIHostName(host)));
            params.setProtocols(PROTOCOLS);
            tls.setSSLParameters(params);
            tls.setSoTimeout(timeoutFor(deadline));
            try {
                tls.startHandshake();
            } catch (SSLException e) {
                if (watchdog.fired()) {
                    return new Failed(url + " did not answer within " + seconds(timeout));
                }
                String reason = certificateReason(e);
                return new Failed(reason != null ? "the certificate of " + host + " is not valid: " + reason
                        : "the TLS handshake with " + host + " failed: " + e.getMessage());
            }
            var out = tls.getOutputStream();
            out.write(("GET " + PATH + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: Mailflow/"
                    + MailflowVersion.get() + "\r\nAccept: text/plain\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            var response = new HttpResponseReader(new java.io.BufferedInputStream(new DeadlineStream(tls, deadline)), MAX_BODY).read(true);
            return judge(url, response);
        } catch (HttpResponseReader.TooLarge e) {
            return new Failed(url + " is too large: " + e.getMessage() + " (RFC 8461 3.3 suggests 64 KiB)");
        } catch (HttpResponseReader.BadResponse e) {
            return new Failed(url + ": " + e.getMessage());
        } catch (SocketTimeoutException e) {
            return new Failed(url + " did not answer within " + seconds(timeout));
        } catch (IOException e) {
            if (watchdog.fired()) {
                return new Failed(url + " did not answer within " + seconds(timeout));
            }
            return new Failed(url + ": " + e.getMessage());
        } finally {
            watchdog.close();
            SocketDeadline.abort(socket);
        }
    }

    private static Result judge(String url, HttpResponseReader.Response response) {
        int status = response.status();
        if (status >= 300 && status < 400) {
            String location = response.header("location");
            return new Failed(url + " redirects (" + status + (location == null ? "" : " to "
                    + HttpResponseReader.printable(location)) + "); RFC 8461 3.3 forbids following redirects");
        }
        if (status != 200) {
            return new Failed(url + " answered " + status + (response.reason().isEmpty() ? ""
                    : " " + HttpResponseReader.printable(response.reason())));
        }
        String type = response.header("content-type");
        if (type == null) {
            return new Failed(url + " has no Content-Type; RFC 8461 3.2 requires text/plain");
        }
        String media = (type.contains(";") ? type.substring(0, type.indexOf(';')) : type).strip()
                .toLowerCase(Locale.ROOT);
        if (!media.equals("text/plain")) {
            return new Failed(url + " is served as " + HttpResponseReader.printable(media)
                    + ", not text/plain (RFC 8461 3.2)");
        }
        String encoding = response.header("content-encoding");
        if (encoding != null && !encoding.equalsIgnoreCase("identity")) {
            return new Failed(url + " is content-encoded (" + HttpResponseReader.printable(encoding)
                    + ") though none was asked for");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(response.body())).toString();
        } catch (CharacterCodingException e) {
            return new Failed(url + " is not UTF-8 text");
        }
        return switch (MtaStsPolicy.parse(text)) {
            case MtaStsPolicy.Valid v -> new Fetched(v.policy());
            case MtaStsPolicy.Invalid i -> new Failed(url + " is not a valid policy: " + i.reason());
        };
    }

    /** Fills {@code out} with the host's addresses; returns why there are none. */
    private String resolve(String host, List<InetAddress> out) {
        var problems = new ArrayList<String>();
        for (var answer : List.of(dns.a(host), dns.aaaa(host))) {
            switch (answer) {
                case DnsAnswer.Found<InetAddress> f -> out.addAll(f.records());
                case DnsAnswer.NotFound<InetAddress> n -> problems.add(n.describe());
                case DnsAnswer.TempFail<InetAddress> t -> problems.add(t.reason());
            }
        }
        return "cannot find the address of " + host + ": " + String.join("; ", problems.stream().distinct().toList());
    }

    /** The reason {@link WebPki} gave, when the handshake failed on the certificate. */
    private static String certificateReason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof WebPki.PeerCertificateException p) {
                return p.getMessage();
            }
        }
        return null;
    }

    private static long remainingMillis(long deadline) {
        return (deadline - System.nanoTime()) / 1_000_000;
    }

    private static int timeoutFor(long deadline) throws SocketTimeoutException {
        long left = remainingMillis(deadline);
        if (left <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        return (int) Math.min(Integer.MAX_VALUE, left);
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static void closeQuietly(Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // nothing to do
            }
        }
    }

    /** Reads with the socket's timeout set to what is left before the deadline. */
    private static final class DeadlineStream extends FilterInputStream {
        private final Socket socket;
        private final long deadline;

        DeadlineStream(Socket socket, long deadline) throws IOException {
            super(socket.getInputStream());
            this.socket = socket;
            this.deadline = deadline;
        }

        @Override
        public int read() throws IOException {
            socket.setSoTimeout(timeoutFor(deadline));
            return super.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            socket.setSoTimeout(timeoutFor(deadline));
            return super.read(b, off, len);
        }
    }
}
