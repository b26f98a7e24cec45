package dev.mailflow.tlspolicy.tlsrpt;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;

/**
 * The JDK's HTTPS server on 127.0.0.1, as a TLS-RPT report receiver: it keeps each request, and
 * answers what the test's handler says.
 */
final class TestReportServer implements AutoCloseable {

    /** One request as received. */
    record Received(String method, String path, String contentType, byte[] body) {
    }

    @FunctionalInterface
    interface Handler {
        /** Answers one request (sets the status and headers, may sleep). */
        void handle(HttpExchange exchange, Received request) throws Exception;
    }

    private final HttpsServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    final List<Received> received = new CopyOnWriteArrayList<>();
    volatile Handler handler = (exchange, request) -> answer(exchange, 200);

    TestReportServer(SSLContext context) throws IOException {
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            try (exchange) {
                var request = new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                        exchange.getRequestHeaders().getFirst("Content-Type"), exchange.getRequestBody().readAllBytes());
                received.add(request);
                handler.handle(exchange, request);
            } catch (Exception e) {
                // the client gave up (a timeout test): nothing to answer
            }
        });
        server.start();
    }

    URI uri(String path) {
        return URI.create("https://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    static void answer(HttpExchange exchange, int status) throws IOException {
        exchange.sendResponseHeaders(status, -1);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
