package dev.mailflow.tlspolicy.tlsrpt;

import dev.mailflow.MailflowVersion;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;

/**
 * Sends a report to an {@code https:} rua (RFC 8460 5.4): a POST whose body is the gzipped
 * report with {@code Content-Type: application/tlsrpt+gzip}. Any 2xx answer means delivered.
 *
 * <p>The server's certificate is checked against the given {@link SSLContext}'s trust anchors
 * and its name against the URI's host (the JDK client's endpoint identification). Limits: a
 * connect timeout, and one deadline for the whole exchange, body included, after which the
 * request is cancelled. Redirects: only 307 and 308 (which keep the method and body), to
 * another {@code https:} URI, at most {@link #MAX_REDIRECTS} times; any other 3xx, like every
 * other status, is a failure with the status in the message. The answer's body is read and
 * dropped.
 */
public final class ReportPoster implements AutoCloseable {

    public static final int MAX_REDIRECTS = 3;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);

    private final HttpClient client;
    private final Duration timeout;
    private final Duration connectTimeout;

    /** With the default limits: 30 s to connect, 2 min for an exchange. */
    public ReportPoster(SSLContext ssl) {
        this(ssl, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT);
    }

    public ReportPoster(SSLContext ssl, Duration connectTimeout, Duration timeout) {
        Objects.requireNonNull(ssl);
        this.timeout = Objects.requireNonNull(timeout);
        this.connectTimeout = Objects.requireNonNull(connectTimeout);
        this.client = HttpClient.newBuilder()
                .sslContext(ssl)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /**
     * POSTs the report; returns when the server answered 2xx.
     *
     * @throws IOException naming the URI and what went wrong (status, TLS, timeout, redirects)
     */
    public void post(URI uri, byte[] gzip) throws IOException {
        URI target = uri;
        for (int hop = 0; ; hop++) {
            if (!"https".equalsIgnoreCase(target.getScheme())) {
                throw new IOException(uri + ": redirected to " + target + ", which is not https");
            }
            var request = HttpRequest.newBuilder(withoutFragment(target))
                    .timeout(timeout)
                    .header("Content-Type", "application/tlsrpt+gzip")
                    .header("User-Agent", "Mailflow/" + MailflowVersion.get() + " (TLS-RPT)")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(gzip))
                    .build();
            HttpResponse<Void> response = exchange(uri, request);
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                return;
            }
            if (status == 307 || status == 308) {
                var location = response.headers().firstValue("Location");
                if (location.isEmpty()) {
                    throw new IOException(uri + " answered " + status + " without a Location");
                }
                if (hop >= MAX_REDIRECTS) {
                    throw new IOException(uri + ": more than " + MAX_REDIRECTS + " redirects");
                }
                try {
                    target = target.resolve(location.get().strip());
                } catch (IllegalArgumentException e) {
                    throw new IOException(uri + " redirected to an invalid URI: " + location.get());
                }
                continue;
            }
            throw new IOException(uri + " answered HTTP " + status + (status >= 300 && status < 400
                    ? " (only 307 and 308 redirects are followed)" : ""));
        }
    }

    private HttpResponse<Void> exchange(URI uri, HttpRequest request) throws IOException {
        var future = client.sendAsync(request, HttpResponse.BodyHandlers.discarding());
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new IOException(uri + ": no complete answer within " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new IOException(uri + ": interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof java.net.http.HttpConnectTimeoutException) {
                throw new IOException(uri + ": cannot connect within " + connectTimeout.toSeconds() + " s", cause);
            }
            if (cause instanceof java.net.http.HttpTimeoutException) {
                throw new IOException(uri + ": no complete answer within " + timeout.toSeconds() + " s", cause);
            }
            String what = cause instanceof javax.net.ssl.SSLException ? "TLS failed"
                    : cause instanceof java.net.ConnectException ? "cannot connect"
                    : "failed";
            String detail = cause == null || cause.getMessage() == null ? String.valueOf(cause)
                    : cause.getMessage();
            throw new IOException(uri + ": " + what + ": " + detail.strip(), cause);
        }
    }

    private static URI withoutFragment(URI uri) {
        if (uri.getRawFragment() == null) {
            return uri;
        }
        String s = uri.toString();
        return URI.create(s.substring(0, s.indexOf('#')));
    }

    @Override
    public void close() {
        client.close();
    }
}
