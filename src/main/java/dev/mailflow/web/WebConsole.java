package dev.mailflow.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.mailflow.delivery.local.MaildirDelivery;
import dev.mailflow.probe.Probe;
import dev.mailflow.probe.ProbeOptions;
import dev.mailflow.queue.QueueAdmin;
import dev.mailflow.queue.QueueJson;
import dev.mailflow.queue.QueueState;
import dev.mailflow.queue.QueueStore;
import dev.mailflow.queue.TrackingEvent;
import dev.mailflow.queue.TrackingLog;
import dev.mailflow.server.MailServer;
import dev.mailflow.server.ServerConfig;
import dev.mailflow.server.auth.Passwords;
import dev.mailflow.smtp.EnhancedStatus;
import dev.mailflow.smtp.StatusCatalogue;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The console's HTTP server: static pages, the JSON API (docs/api.md) and /metrics. */
public final class WebConsole implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WebConsole.class);
    static final String COOKIE = "mailflow_session";
    private static final String PAGE_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; "
            + "frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'";
    /** Message HTML: no script, no remote anything; only inline styles and inline images. */
    static final String MESSAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data: cid:; "
            + "sandbox; frame-ancestors 'self'";

    private final HttpServer http;
    private final String passwordHash;
    private final Sessions sessions;
    private final MailServer server;
    private final ServerConfig config;
    private final QueueAdmin admin;
    private final QueueStore store;
    private final Path logs;
    private final Mailboxes mailboxes;
    private final Metrics metrics;
    private final MetricsAccess metricsAccess;
    private final Instant started;
    private final ArrayDeque<TrackingEvent> latest = new ArrayDeque<>();

    private WebConsole(HttpServer http, String passwordHash, boolean metricsLogin, MailServer server,
                       ServerConfig config, QueueStore store, QueueAdmin admin, TrackingLog tracking, Clock clock) {
        this.http = http;
        this.passwordHash = passwordHash;
        this.sessions = new Sessions(clock);
        this.server = server;
        this.config = config;
        this.admin = admin;
        this.store = store;
        this.logs = config.dataDir().resolve("logs");
        this.mailboxes = new Mailboxes(() -> server.config().directory(), new MaildirDelivery(config.dataDir().resolve("mailboxes"),
                config.hostname(), clock.getZone()));
        this.metrics = new Metrics(server, store, tracking);
        this.metricsAccess = new MetricsAccess(metricsLogin, passwordHash, sessions);
        this.started = clock.instant();
        tracking.listen(e -> {
            synchronized (latest) {
                latest.addFirst(e);
                while (latest.size() > 20) {
                    latest.removeLast();
                }
            }
        });
    }

    /**
     * Starts the console.
     *
     * @param announce told the generated admin password, once, at first start
     */
    public static WebConsole start(WebConfig web, MailServer server, ServerConfig config, QueueStore store,
                                   QueueAdmin admin, TrackingLog tracking, Clock clock, Consumer<String> announce)
            throws IOException {
        String hash = adminPassword(web, config.dataDir().resolve("web"), announce);
        HttpServer http;
        if (web.bind().getAddress().isLoopbackAddress() || server.tls() == null) {
            http = HttpServer.create(web.bind(), 64);
        } else {
            // Beyond loopback: HTTPS, with the certificate of the SMTP connectors.
            var https = com.sun.net.httpserver.HttpsServer.create(web.bind(), 64);
            https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(server.tls().context()));
            http = https;
        }
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        var console = new WebConsole(http, hash, web.metricsLogin(), server, config, store, admin, tracking, clock);
        http.createContext("/", console::handle);
        http.start();
        return console;
    }

    public InetSocketAddress address() {
        return http.getAddress();
    }

    public String url() {
        return (http instanceof com.sun.net.httpserver.HttpsServer ? "https" : "http") + "://"
                + dev.mailflow.server.Endpoints.format(http.getAddress()) + "/";
    }

    /** The configured password, else the hash kept from the first start, else a new one announced once. */
    static String adminPassword(WebConfig web, Path dir, Consumer<String> announce) throws IOException {
        if (web.password() != null) {
            return web.password();
        }
        Path file = dir.resolve("admin-password.hash");
        if (Files.exists(file)) {
            return Files.readString(file).strip();
        }
        String password = new Sessions(Clock.systemUTC()).token().substring(0, 20);
        String hash = Passwords.hash(password.toCharArray());
        Files.createDirectories(dir);
        Files.writeString(file, hash + "\n");
        try {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not POSIX
        }
        announce.accept(password);
        return hash;
    }

    // ---- Routing ------------------------------------------------------------------------

    private void handle(HttpExchange x) throws IOException {
        // Not try-with-resources: the exchange must still be open when a catch clause answers.
        try {
            String path = x.getRequestURI().getRawPath();
            String method = x.getRequestMethod();
            x.getResponseHeaders().set("Referrer-Policy", "no-referrer");
            x.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            if (path.equals("/") || path.startsWith("/static/")) {
                staticFile(x, path.equals("/") ? "index.html" : path.substring(8));
                return;
            }
            if (path.equals("/metrics") && method.equals("GET")) {
                switch (metricsAccess.check(x.getRemoteAddress().getAddress(),
                        x.getRequestHeaders().getFirst("Authorization"))) {
                    case BLOCKED -> {
                        error(x, 429, "too many failed logins from your address; wait a few minutes");
                        return;
                    }
                    case CREDENTIALS_NEEDED -> {
                        x.getResponseHeaders().set("WWW-Authenticate", MetricsAccess.CHALLENGE);
                        error(x, 401, "metrics need HTTP Basic credentials: any user name, the admin password");
                        return;
                    }
                    case ALLOWED -> { }
                }
                send(x, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape().getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (!path.startsWith("/api/")) {
                error(x, 404, "no such page");
                return;
            }
            if (path.equals("/api/login") && method.equals("POST")) {
                login(x);
                return;
            }
            var session = sessions.find(cookie(x));
            if (session == null) {
                error(x, 401, "log in first");
                return;
            }
            if (!method.equals("GET")) {
                String token = x.getRequestHeaders().getFirst("X-CSRF-Token");
                if (token == null || !java.security.MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                        session.csrf().getBytes(StandardCharsets.UTF_8))) {
                    error(x, 403, "missing or wrong CSRF token (X-CSRF-Token)");
                    return;
                }
            }
            api(x, method, path.substring(5).split("/", -1), session);
        } catch (IllegalArgumentException e) {
            error(x, 400, e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("web console: {} {}", x.getRequestMethod(), x.getRequestURI(), e);
            error(x, 500, "internal error: " + e);
        } finally {
            x.close();
        }
    }

    private void api(HttpExchange x, String method, String[] p, Sessions.Session session) throws IOException {
        String first = p[0];
        switch (first) {
            case "session" -> json(x, 200, Map.of("csrf", session.csrf()));
            case "logout" -> {
                sessions.end(session.id());
                x.getResponseHeaders().add("Set-Cookie", COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
                json(x, 200, Map.of("ok", true));
            }
            case "status" -> json(x, 200, status());
            case "queue" -> queue(x, method, p);
            case "track" -> json(x, 200, explained(track(query(x))));
            case "mailboxes" -> mailbox(x, p);
            case "probe" -> {
                if (!method.equals("POST")) {
                    error(x, 405, "POST a probe");
                    return;
                }
                probe(x);
            }
            default -> error(x, 404, "no such API");
        }
    }

    // ---- Login --------------------------------------------------------------------------

    private void login(HttpExchange x) throws IOException {
        InetAddress client = x.getRemoteAddress().getAddress();
        if (sessions.loginBlocked(client)) {
            error(x, 429, "too many failed logins from your address; wait a few minutes");
            return;
        }
        JsonNode body = body(x);
        String password = body.path("password").asText("");
        if (!Passwords.matches(passwordHash, password)) {
            sessions.loginFailed(client);
            error(x, 401, "wrong password");
            return;
        }
        var s = sessions.create();
        x.getResponseHeaders().add("Set-Cookie", COOKIE + "=" + s.id() + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
                + Sessions.LIFETIME.toSeconds() + (http instanceof com.sun.net.httpserver.HttpsServer ? "; Secure" : ""));
        json(x, 200, Map.of("csrf", s.csrf()));
    }

    // ---- Overview -----------------------------------------------------------------------

    private Map<String, Object> status() throws IOException {
        var m = new LinkedHashMap<String, Object>();
        m.put("hostname", config.hostname());
        m.put("version", dev.mailflow.MailflowVersion.get());
        m.put("started", started.toString());
        var connectors = new ArrayList<Map<String, Object>>();
        for (var c : server.connectors()) {
            connectors.add(Map.of("name", c.config().name(), "address",
                    dev.mailflow.server.Endpoints.format(c.boundAddress()), "anonymous", c.config().anonymous(), "tls", c.config().tls().name().toLowerCase(),
                    "open", c.openConnections(), "total", c.totalConnections()));
        }
        m.put("connectors", connectors);
        var queue = new LinkedHashMap<String, Integer>();
        for (var e : store.countByState().entrySet()) {
            if (e.getKey() != QueueState.INCOMING) {
                queue.put(e.getKey().name(), e.getValue());
            }
        }
        m.put("queue", queue);
        m.put("counters", Map.of("received", metrics.count("received"), "delivered", metrics.count("delivered"),
                "sent", metrics.count("sent"), "deferred", metrics.count("deferred"), "failed", metrics.count("failed"),
                "dsn", metrics.count("dsn")));
        m.put("perMinute", metrics.history());
        synchronized (latest) {
            m.put("latest", explained(List.copyOf(latest)));
        }
        return m;
    }

    // ---- Queue --------------------------------------------------------------------------

    private void queue(HttpExchange x, String method, String[] p) throws IOException {
        if (p.length == 1 || p[1].isEmpty()) {
            var q = query(x);
            String state = q.get("state");
            var listing = admin.list(state == null || state.isEmpty() ? null : QueueState.parse(state));
            int page = Integer.parseInt(q.getOrDefault("page", "1"));
            int size = Math.min(200, Integer.parseInt(q.getOrDefault("size", "50")));
            var all = listing.messages();
            int from = Math.min(all.size(), (Math.max(1, page) - 1) * size);
            json(x, 200, Map.of("counts", listing.counts(), "total", all.size(), "page", page, "size", size,
                    "messages", all.subList(from, Math.min(all.size(), from + size))));
            return;
        }
        long id = Long.parseLong(p[1]);
        if (p.length == 2) {
            var d = admin.show(id);
            if (d == null) {
                error(x, 404, "no message " + id + " in the queue");
            } else {
                json(x, 200, d);
            }
            return;
        }
        if (!method.equals("POST")) {
            error(x, 405, "POST an action");
            return;
        }
        var result = switch (p[2]) {
            case "retry" -> admin.retry(id);
            case "hold" -> admin.hold(id);
            case "release" -> admin.release(id);
            case "delete" -> admin.delete(id);
            default -> throw new IllegalArgumentException("no action " + p[2]);
        };
        json(x, result.ok() ? 200 : 409, result);
    }

    // ---- Tracking -----------------------------------------------------------------------

    /** Tracking events as JSON, each status code with its meaning from the one status catalogue. */
    private static List<JsonNode> explained(List<TrackingEvent> events) {
        var list = new ArrayList<JsonNode>(events.size());
        for (var e : events) {
            var node = (com.fasterxml.jackson.databind.node.ObjectNode) QueueJson.MAPPER.valueToTree(e);
            var code = EnhancedStatus.parse(e.status());
            if (code != null) {
                node.put("explanation", StatusCatalogue.meaning(code));
            }
            list.add(node);
        }
        return list;
    }

    private List<TrackingEvent> track(Map<String, String> q) throws IOException {
        Predicate<TrackingEvent> f = e -> true;
        String sender = q.get("sender");
        String recipient = q.get("recipient");
        String id = q.get("id");
        String messageId = q.get("messageId");
        if (sender != null && !sender.isBlank()) {
            f = f.and(e -> sender.equalsIgnoreCase(e.sender()));
        }
        if (recipient != null && !recipient.isBlank()) {
            f = f.and(e -> e.recipients().stream().anyMatch(recipient::equalsIgnoreCase));
        }
        if (id != null && !id.isBlank()) {
            long n = Long.parseLong(id);
            f = f.and(e -> e.id() == n);
        }
        if (messageId != null && !messageId.isBlank()) {
            String wanted = messageId.startsWith("<") ? messageId : "<" + messageId + ">";
            f = f.and(e -> wanted.equals(e.messageId()));
        }
        Instant since = null;
        if (q.get("since") != null && !q.get("since").isBlank()) {
            since = TrackingLog.parseSince(q.get("since"));
        }
        var events = TrackingLog.search(logs, since, f);
        return events.size() > 1000 ? events.subList(events.size() - 1000, events.size()) : events;
    }

    // ---- Mailboxes ----------------------------------------------------------------------

    private void mailbox(HttpExchange x, String[] p) throws IOException {
        if (p.length == 1 || p[1].isEmpty()) {
            json(x, 200, mailboxes.list());
            return;
        }
        String address = URLDecoder.decode(p[1], StandardCharsets.UTF_8);
        if (p.length == 3 && p[2].equals("messages")) {
            var files = mailboxes.files(address);
            if (files == null) {
                error(x, 404, "no mailbox " + address);
                return;
            }
            json(x, 200, files.stream().limit(500).map(mailboxes::summary).toList());
            return;
        }
        if (p.length >= 4 && p[2].equals("messages")) {
            String name = URLDecoder.decode(p[3], StandardCharsets.UTF_8);
            Path file = mailboxes.file(address, name);
            if (file == null) {
                error(x, 404, "no message " + name + " in " + address);
                return;
            }
            String what = p.length == 5 ? p[4] : "";
            switch (what) {
                case "" -> json(x, 200, mailboxes.detail(file));
                case "raw" -> {
                    x.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"message.eml\"");
                    send(x, 200, "message/rfc822", Files.readAllBytes(file));
                }
                case "html" -> {
                    String html = mailboxes.html(file);
                    x.getResponseHeaders().set("Content-Security-Policy", MESSAGE_CSP);
                    send(x, 200, "text/html; charset=utf-8",
                            (html == null ? "<p>(no HTML part)</p>" : html).getBytes(StandardCharsets.UTF_8));
                }
                default -> error(x, 404, "no such view");
            }
            return;
        }
        error(x, 404, "no such API");
    }

    // ---- Probe (server-sent events) -----------------------------------------------------

    private void probe(HttpExchange x) throws IOException {
        JsonNode b = body(x);
        String target = b.path("target").asText("").strip();
        var to = new ArrayList<String>();
        b.path("to").forEach(t -> {
            if (!t.asText().isBlank()) {
                to.add(t.asText().strip());
            }
        });
        String auth = b.path("auth").asText("");
        String helo = b.path("helo").asText("").isBlank() ? config.hostname() : b.path("helo").asText();
        var options = new ProbeOptions(target, b.hasNonNull("port") && !b.path("port").asText().isBlank()
                ? b.path("port").asInt() : null, b.path("from").asText("").isBlank() ? "probe@" + helo
                : b.path("from").asText(), to, b.path("notify").asText("").isBlank() ? null : b.path("notify").asText(),
                helo, b.path("starttls").asText("auto"), auth.isBlank() ? null : auth.split(":", 2)[0],
                auth.contains(":") ? auth.split(":", 2)[1] : null, b.path("data").asBoolean(false), null,
                b.path("dnsServer").asText("").isBlank() ? null : b.path("dnsServer").asText(),
                Duration.ofSeconds(Math.max(1, Math.min(120, b.path("timeout").asInt(30)))));
        x.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        x.getResponseHeaders().set("Cache-Control", "no-cache");
        x.sendResponseHeaders(200, 0);
        OutputStream out = x.getResponseBody();
        var report = Probe.run(options, step -> event(out, "step", step), null);
        event(out, "done", report);
    }

    private static void event(OutputStream out, String name, Object data) {
        try {
            out.write(("event: " + name + "\ndata: " + QueueJson.MAPPER.writeValueAsString(data) + "\n\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            LOG.debug("probe stream closed: {}", e.toString());
        }
    }

    // ---- Helpers ------------------------------------------------------------------------

    private void staticFile(HttpExchange x, String name) throws IOException {
        if (!name.matches("[a-z0-9-]+\\.(html|js|css|svg)")) {
            error(x, 404, "no such file");
            return;
        }
        try (InputStream in = WebConsole.class.getResourceAsStream("static/" + name)) {
            if (in == null) {
                error(x, 404, "no such file");
                return;
            }
            String type = switch (name.substring(name.lastIndexOf('.') + 1)) {
                case "html" -> "text/html; charset=utf-8";
                case "js" -> "text/javascript; charset=utf-8";
                case "css" -> "text/css; charset=utf-8";
                default -> "image/svg+xml";
            };
            x.getResponseHeaders().set("Content-Security-Policy", PAGE_CSP);
            x.getResponseHeaders().set("X-Frame-Options", "SAMEORIGIN");
            send(x, 200, type, in.readAllBytes());
        }
    }

    private static String cookie(HttpExchange x) {
        for (String header : x.getRequestHeaders().getOrDefault("Cookie", List.of())) {
            for (String part : header.split(";")) {
                String t = part.strip();
                if (t.startsWith(COOKIE + "=")) {
                    return t.substring(COOKIE.length() + 1);
                }
            }
        }
        return null;
    }

    private static Map<String, String> query(HttpExchange x) {
        var m = new HashMap<String, String>();
        String q = x.getRequestURI().getRawQuery();
        if (q != null) {
            for (String kv : q.split("&")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    m.put(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return m;
    }

    private static JsonNode body(HttpExchange x) throws IOException {
        byte[] b = x.getRequestBody().readNBytes(64 * 1024);
        if (b.length == 0) {
            return QueueJson.MAPPER.createObjectNode();
        }
        try {
            return QueueJson.MAPPER.readTree(b);
        } catch (IOException e) {
            throw new IllegalArgumentException("the body is not JSON");
        }
    }

    private static void json(HttpExchange x, int code, Object body) throws IOException {
        send(x, code, "application/json; charset=utf-8", QueueJson.MAPPER.writeValueAsBytes(body));
    }

    private static void error(HttpExchange x, int code, String message) throws IOException {
        json(x, code, Map.of("error", message));
    }

    private static void send(HttpExchange x, int code, String type, byte[] body) throws IOException {
        x.getResponseHeaders().set("Content-Type", type);
        x.getResponseHeaders().set("Cache-Control", "no-store");
        x.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            x.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        http.stop(0);
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
