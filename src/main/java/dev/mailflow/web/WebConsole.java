package dev.mailflow.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.mailflow.delivery.local.MaildirDelivery;
import dev.mailflow.probe.Probe;
import dev.mailflow.probe.MatrixOptions;
import dev.mailflow.probe.ProbeOptions;
import dev.mailflow.probe.RoundTrip;
import dev.mailflow.probe.TlsPolicyOptions;
import dev.mailflow.queue.QueueAdmin;
import dev.mailflow.queue.QueueIds;
import dev.mailflow.queue.QueueJson;
import dev.mailflow.queue.QueueState;
import dev.mailflow.queue.QueueStore;
import dev.mailflow.queue.TrackingEvent;
import dev.mailflow.queue.TrackingLog;
import dev.mailflow.server.MailServer;
import dev.mailflow.server.ServerConfig;
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
    private final ConsolePassword password;
    private final Sessions sessions;
    private final MailServer server;
    private final ServerConfig config;
    private final QueueAdmin admin;
    private final QueueStore store;
    private final TrackingLog tracking;
    private final Mailboxes mailboxes;
    private final Metrics metrics;
    private final MetricsAccess metricsAccess;
    private final Instant started;
    private final ArrayDeque<TrackingEvent> latest = new ArrayDeque<>();

    private WebConsole(HttpServer http, ConsolePassword password, boolean metricsLogin, MailServer server,
                       ServerConfig config, QueueStore store, QueueAdmin admin, TrackingLog tracking, Clock clock) {
        this.http = http;
        this.password = password;
        this.sessions = new Sessions(clock);
        this.server = server;
        this.config = config;
        this.admin = admin;
        this.store = store;
        this.tracking = tracking;
        this.mailboxes = new Mailboxes(() -> server.config().directory(), new MaildirDelivery(config.dataDir().resolve("mailboxes"),
                config.hostname(), clock.getZone()));
        this.metrics = new Metrics(server, store, tracking);
        this.metricsAccess = new MetricsAccess(metricsLogin, password, sessions);
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
        var password = ConsolePassword.load(web, config.dataDir(), announce);
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
        var console = new WebConsole(http, password, web.metricsLogin(), server, config, store, admin, tracking,
                clock);
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

    // ---- Routing ------------------------------------------------------------------------

    private void handle(HttpExchange x) throws IOException {
        // Not try-with-resources: the exchange must still be open when a catch clause answers.
        try {
            String path = x.getRequestURI().getRawPath();
            String method = x.getRequestMethod();
            x.getResponseHeaders().set("Referrer-Policy", "no-referrer");
            x.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            x.setAttribute(LANGUAGE, ConsoleText.choose(cookie(x, ConsoleText.COOKIE),
                    x.getRequestHeaders().getFirst("Accept-Language")));
            if (path.equals("/") || path.startsWith("/static/")) {
                staticFile(x, path.equals("/") ? "index.html" : path.substring(8));
                return;
            }
            if (path.equals("/metrics") && method.equals("GET")) {
                switch (metricsAccess.check(x.getRemoteAddress().getAddress(),
                        x.getRequestHeaders().getFirst("Authorization"))) {
                    case BLOCKED -> {
                        error(x, 429, "error.tooManyLogins");
                        return;
                    }
                    case CREDENTIALS_NEEDED -> {
                        x.getResponseHeaders().set("WWW-Authenticate", MetricsAccess.CHALLENGE);
                        error(x, 401, "error.metricsCredentials");
                        return;
                    }
                    case ALLOWED -> { }
                }
                send(x, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape().getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (!path.startsWith("/api/")) {
                error(x, 404, "error.noSuchPage");
                return;
            }
            if (path.equals("/api/login") && method.equals("POST")) {
                login(x);
                return;
            }
            if (path.equals("/api/messages") && method.equals("GET")) {
                messages(x); // the login page needs its words too: no session
                return;
            }
            var session = sessions.find(cookie(x, COOKIE));
            if (session == null) {
                error(x, 401, "error.loginFirst");
                return;
            }
            if (!method.equals("GET")) {
                String token = x.getRequestHeaders().getFirst("X-CSRF-Token");
                if (token == null || !java.security.MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                        session.csrf().getBytes(StandardCharsets.UTF_8))) {
                    error(x, 403, "error.csrf");
                    return;
                }
            }
            api(x, method, path.substring(5).split("/", -1), session);
        } catch (NumberFormatException e) {
            // Numbers are read by wholeNumber(); one read elsewhere is a bug, not the client's mistake.
            LOG.error("web console: {} {}", x.getRequestMethod(), x.getRequestURI(), e);
            failed(x, 500, say(x, "error.internal"));
        } catch (dev.mailflow.directory.DirectoryUnavailable e) {
            failed(x, 503, e.getMessage()); // the directory's database is down: try again later
        } catch (IllegalArgumentException e) {
            // The console's own refusals in the request's language; the validators' own words (a
            // bad state, id, time or target, from the queue and tracking code) are English.
            failed(x, 400, e instanceof ConsoleText.BadRequest bad ? bad.in(language(x)) : e.getMessage());
        } catch (IOException e) {
            LOG.warn("web console: {} {}: {}", x.getRequestMethod(), x.getRequestURI(), e.toString());
            failed(x, 500, say(x, "error.unreadable"));
        } catch (RuntimeException e) {
            LOG.error("web console: {} {}", x.getRequestMethod(), x.getRequestURI(), e);
            failed(x, 500, say(x, "error.internal"));
        } finally {
            x.close();
        }
    }

    private void api(HttpExchange x, String method, String[] p, Sessions.Session session) throws IOException {
        String first = p[0];
        // Reading is GET, acting is POST (the queue's actions and the probe check their own).
        String wanted = switch (first) {
            case "session", "status", "track", "mailboxes" -> "GET";
            case "logout" -> "POST";
            case "queue" -> p.length <= 2 ? "GET" : null;
            default -> null;
        };
        if (wanted != null && !method.equals(wanted)) {
            x.getResponseHeaders().set("Allow", wanted);
            error(x, 405, "error.method", method, "/api/" + String.join("/", p), wanted);
            return;
        }
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
                    error(x, 405, "error.postProbe");
                    return;
                }
                if (p.length == 2 && p[1].equals("html")) {
                    probeHtml(x);
                } else if (p.length == 1) {
                    probe(x);
                } else {
                    error(x, 404, "error.noSuchApi");
                }
            }
            case "checks" -> {
                if (!method.equals("POST")) {
                    error(x, 405, "error.postProbe");
                    return;
                }
                serverChecks(x);
            }
            default -> error(x, 404, "error.noSuchApi");
        }
    }

    // ---- Login --------------------------------------------------------------------------

    private void login(HttpExchange x) throws IOException {
        InetAddress client = x.getRemoteAddress().getAddress();
        if (sessions.loginBlocked(client)) {
            error(x, 429, "error.tooManyLogins");
            return;
        }
        JsonNode body = body(x);
        // A body that is not {"password": "..."} is a mistake, not a guess: 400, not counted.
        if (!body.isObject() || !body.path("password").isTextual()) {
            error(x, 400, "error.loginBody");
            return;
        }
        for (var it = body.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!name.equals("password")) {
                error(x, 400, "error.unknownField", name, "password");
                return;
            }
        }
        if (!password.matches(body.path("password").asText(""))) {
            sessions.loginFailed(client);
            error(x, 401, "error.wrongPassword");
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
        var counts = store.countByState();
        for (var state : QueueState.ACCEPTED) {
            queue.put(state.name(), counts.getOrDefault(state, 0));
        }
        m.put("queue", queue);
        var shared = store.shared();
        if (shared != null) {
            // A cluster: its nodes, each with its last heartbeat, and which one this is.
            var nodes = new ArrayList<Map<String, Object>>();
            for (var n : shared.nodes()) {
                nodes.add(Map.of("nodeId", n.nodeId(), "hostname", n.hostname(), "version", n.version(),
                        "startedAt", n.startedAt().toString(), "heartbeat", n.heartbeat().toString(), "alive", n.alive(),
                        "stopped", n.stopped(), "self", n.nodeId().equals(shared.nodeId())));
            }
            m.put("nodes", nodes);
        }
        m.put("counters", metrics.counters());
        var rejections = new LinkedHashMap<String, Long>();
        for (var check : dev.mailflow.server.Check.values()) {
            long n = server.stats().rejections(check);
            if (n > 0) {
                rejections.put(check.word(), n);
            }
        }
        m.put("rejections", rejections);
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
            int page = wholeNumber(q, "page", 1, 1, 100_000);
            int size = wholeNumber(q, "size", 50, 1, 200);
            // Only up to the page asked for is read, not the whole queue.
            var listing = admin.list(state == null || state.isEmpty() ? null : QueueState.parse(state), 0,
                    Math.max(1, page) * size);
            var all = listing.messages();
            int from = Math.min(all.size(), (Math.max(1, page) - 1) * size);
            json(x, 200, Map.of("counts", listing.counts(), "total", listing.matching(), "page", page, "size", size,
                    "messages", all.subList(from, Math.min(all.size(), from + size))));
            return;
        }
        long id = QueueIds.parse(decode(p[1]));
        if (p.length == 2) {
            var d = admin.show(id);
            if (d == null) {
                error(x, 404, "error.notQueued", id);
            } else {
                json(x, 200, d);
            }
            return;
        }
        if (!method.equals("POST")) {
            error(x, 405, "error.postAction");
            return;
        }
        var result = switch (p[2]) {
            case "retry" -> admin.retry(id);
            case "hold" -> admin.hold(id);
            case "release" -> admin.release(id);
            case "delete" -> admin.delete(id);
            default -> throw new ConsoleText.BadRequest("error.noAction", p[2]);
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
            long n = QueueIds.parse(id);
            f = f.and(e -> e.id() == n);
        }
        if (messageId != null && !messageId.isBlank()) {
            String wanted = messageId.startsWith("<") ? messageId : "<" + messageId + ">";
            f = f.and(e -> wanted.equals(e.messageId()));
        }
        Instant since = null;
        if (q.get("since") != null && !q.get("since").isBlank()) {
            try {
                since = TrackingLog.parseSince(q.get("since").strip());
            } catch (IllegalArgumentException e) {
                throw new ConsoleText.BadRequest("error.since", q.get("since"), e.getMessage());
            }
        }
        var events = tracking.searchAll(since, f); // the whole cluster's in a cluster
        return events.size() > 1000 ? events.subList(events.size() - 1000, events.size()) : events;
    }

    // ---- Mailboxes ----------------------------------------------------------------------

    private void mailbox(HttpExchange x, String[] p) throws IOException {
        if (p.length == 1 || p[1].isEmpty()) {
            json(x, 200, mailboxes.list());
            return;
        }
        String address = decode(p[1]);
        if (p.length == 3 && p[2].equals("messages")) {
            var files = mailboxes.files(address);
            if (files == null) {
                error(x, 404, "error.noMailbox", address);
                return;
            }
            json(x, 200, files.stream().limit(500).map(mailboxes::summary).toList());
            return;
        }
        if (p.length >= 4 && p[2].equals("messages")) {
            String name = decode(p[3]);
            Path file = mailboxes.file(address, name);
            if (file == null) {
                error(x, 404, "error.noMessage", name, address);
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
                    send(x, 200, "text/html; charset=utf-8", (html == null ? "<p>"
                            + escape(say(x, "message.noHtmlPart")) + "</p>" : html)
                            .getBytes(StandardCharsets.UTF_8));
                }
                default -> error(x, 404, "error.noSuchView");
            }
            return;
        }
        error(x, 404, "error.noSuchApi");
    }

    // ---- Probe (server-sent events) -----------------------------------------------------

    /** Probes at once (each makes tens of connections: the TLS grade, the matrix). */
    static final int MAX_PROBES = 4;
    private final java.util.concurrent.Semaphore probesRunning = new java.util.concurrent.Semaphore(MAX_PROBES);

    /** The fields of POST /api/probe, and the type each must have when given. */
    private static final Map<String, JsonNodeType> PROBE_FIELDS = Map.ofEntries(
            Map.entry("target", JsonNodeType.STRING),
            Map.entry("port", JsonNodeType.NUMBER),
            Map.entry("from", JsonNodeType.STRING),
            Map.entry("to", JsonNodeType.ARRAY),
            Map.entry("notify", JsonNodeType.STRING),
            Map.entry("helo", JsonNodeType.STRING),
            Map.entry("starttls", JsonNodeType.STRING),
            Map.entry("auth", JsonNodeType.STRING),
            Map.entry("data", JsonNodeType.BOOLEAN),
            Map.entry("dnsServer", JsonNodeType.STRING),
            Map.entry("timeout", JsonNodeType.NUMBER),
            Map.entry("mode", JsonNodeType.STRING),
            Map.entry("dnsbl", JsonNodeType.ARRAY),
            Map.entry("tlsGrade", JsonNodeType.BOOLEAN),
            Map.entry("roundTrip", JsonNodeType.BOOLEAN),
            Map.entry("wait", JsonNodeType.NUMBER),
            Map.entry("lang", JsonNodeType.STRING));

    /**
     * A JSON object whose every field is one of {@code fields}, of its type (null and blank text
     * stand for "not given"; a number may come as the form's digits), else a 400 saying which
     * field is not.
     */
    private static void checkFieldTypes(JsonNode b, Map<String, JsonNodeType> fields) {
        if (!b.isObject()) {
            throw new ConsoleText.BadRequest("error.notObject");
        }
        for (var it = b.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            var want = fields.get(name);
            if (want == null) {
                throw new ConsoleText.BadRequest("error.unknownField", name,
                        String.join(", ", new java.util.TreeSet<>(fields.keySet())));
            }
            JsonNode v = b.get(name);
            boolean emptyText = v.isTextual() && v.asText().isBlank();
            boolean ok = v.isNull() || emptyText || v.getNodeType() == want
                    || want == JsonNodeType.NUMBER && v.isTextual()
                    && v.asText().strip().matches("\\d{1,9}");
            if (!ok) {
                throw new ConsoleText.BadRequest(switch (want) {
                    case ARRAY -> "error.mustBeList";
                    case BOOLEAN -> "error.mustBeBoolean";
                    case NUMBER -> "error.mustBeNumber";
                    default -> "error.mustBeString";
                }, name, v.toString());
            }
            // Text fields go into SMTP commands and DNS names: no CR, LF or other control character.
            if (v.isTextual() && v.asText().chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
                throw new ConsoleText.BadRequest("error.controlCharacter", name);
            }
        }
    }

    /** Every field known, of its type (a number may come as the form's digits), or a 400 saying which is not. */
    private static void checkProbeFields(JsonNode b) {
        checkFieldTypes(b, PROBE_FIELDS);
        for (JsonNode item : b.path("to")) {
            if (item.asText("").chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
                throw new ConsoleText.BadRequest("error.controlCharacter", "to");
            }
        }
        if (b.path("dnsbl").size() > 10) {
            throw new ConsoleText.BadRequest("error.tooManyLists", 10, b.path("dnsbl").size());
        }
        if (b.path("to").size() > 20) {
            throw new ConsoleText.BadRequest("error.tooManyRecipients", 20, b.path("to").size());
        }
        String starttls = b.path("starttls").asText("");
        if (!starttls.isBlank() && !List.of("auto", "require", "never").contains(starttls)) {
            throw new ConsoleText.BadRequest("error.starttls", starttls);
        }
        String lang = b.path("lang").asText("");
        if (!lang.isBlank() && !dev.mailflow.probe.Messages.LANGUAGES.contains(lang.strip())) {
            throw new ConsoleText.BadRequest("error.lang", lang);
        }
        bounded(b, "timeout", 1, 120, "error.timeout");
        bounded(b, "port", 1, 65535, "error.port");
        bounded(b, "wait", 1, 900, "error.wait");
        dnsServer(b);
        for (String list : List.of("to", "dnsbl")) {
            for (JsonNode item : b.path(list)) {
                if (!item.isTextual()) {
                    throw new ConsoleText.BadRequest("error.mustBeList", list, b.get(list).toString());
                }
            }
        }
    }

    private void probe(HttpExchange x) throws IOException {
        JsonNode b = body(x);
        checkProbeFields(b);
        String target = b.path("target").asText("").strip();
        var to = new ArrayList<String>();
        b.path("to").forEach(t -> {
            if (!t.asText().isBlank()) {
                to.add(t.asText().strip());
            }
        });
        String auth = b.path("auth").asText("");
        String helo = b.path("helo").asText("").isBlank() ? config.hostname() : b.path("helo").asText();
        String from = b.path("from").asText("").isBlank() ? "probe@" + helo : b.path("from").asText().strip();
        var lists = new ArrayList<dev.mailflow.server.protection.DnsList>();
        b.path("dnsbl").forEach(z -> {
            if (!z.asText().isBlank()) {
                lists.add(dev.mailflow.server.protection.DnsList.parse(z.asText().strip(), true));
            }
        });
        String mode = b.path("mode").asText("").strip();
        var matrix = new MatrixOptions(mode.isEmpty() ? "auto" : mode, lists, b.path("tlsGrade").asBoolean(true));
        // The explanations in the switch's language, else the console's (its cookie, Accept-Language).
        String lang = b.path("lang").asText("").isBlank() ? language(x)
                : dev.mailflow.probe.Messages.supported(b.path("lang").asText());
        RoundTrip.Options roundTrip = null;
        if (b.path("roundTrip").asBoolean(false)) {
            roundTrip = roundTripMailbox(from, to, wholeNumber(Map.of("wait", b.path("wait").asText("")), "wait",
                    120, 1, 900), lang);
        }
        var options = new ProbeOptions(target, b.hasNonNull("port") && !b.path("port").asText().isBlank()
                ? b.path("port").asInt() : null, from, to,
                b.path("notify").asText("").isBlank() ? null : b.path("notify").asText(),
                helo, b.path("starttls").asText("auto"), auth.isBlank() ? null : auth.split(":", 2)[0],
                auth.contains(":") ? auth.split(":", 2)[1] : null, b.path("data").asBoolean(false) || roundTrip != null,
                null, b.path("dnsServer").asText("").isBlank() ? null : b.path("dnsServer").asText(),
                Duration.ofSeconds(Math.max(1, Math.min(120, b.path("timeout").asInt(30)))), List.of(),
                TlsPolicyOptions.DEFAULTS, matrix, roundTrip);
        dev.mailflow.probe.Messages.use(lang);
        if (!probesRunning.tryAcquire()) {
            dev.mailflow.probe.Messages.use("en");
            failed(x, 503, say(x, "error.probesBusy", MAX_PROBES));
            return;
        }
        try {
            x.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            x.getResponseHeaders().set("Cache-Control", "no-cache");
            x.sendResponseHeaders(200, 0);
            probeStream(options, x.getResponseBody());
        } finally {
            probesRunning.release();
            dev.mailflow.probe.Messages.use("en");
        }
    }

    private void probeStream(ProbeOptions options, OutputStream out) {
        var report = Probe.run(options, new Probe.Listener() {
            @Override
            public void step(dev.mailflow.probe.ProbeStep step) {
                event(out, "step", step);
            }

            @Override
            public void waiting(String what) {
                event(out, "waiting", java.util.Map.of("what", what));
            }

            @Override
            public void matrix(List<dev.mailflow.probe.MxMatrix.MxEntry> entries) {
                event(out, "matrix", entries);
            }
        }, null);
        event(out, "done", report);
    }

    /** The largest report POST /api/probe/html takes (a matrix of many MX with their TLS grades). */
    static final int MAX_REPORT = 4 << 20;

    /**
     * {@code POST /api/probe/html}: the report of a probe (the {@code done} event's JSON, as the
     * page got it) as the single self-contained HTML file of {@code mailflow probe --format
     * html}, to download and mail to a colleague. The same renderer escapes every text of it.
     */
    private void probeHtml(HttpExchange x) throws IOException {
        byte[] b = x.getRequestBody().readNBytes(MAX_REPORT + 1);
        if (b.length > MAX_REPORT) {
            throw new ConsoleText.BadRequest("error.reportTooLarge", MAX_REPORT >> 20);
        }
        dev.mailflow.probe.ProbeReport report;
        try {
            report = QueueJson.MAPPER.readValue(b, dev.mailflow.probe.ProbeReport.class);
        } catch (IOException | RuntimeException e) {
            throw new ConsoleText.BadRequest("error.reportBody");
        }
        if (report.target() == null || report.outcome() == null || report.steps() == null) {
            throw new ConsoleText.BadRequest("error.reportBody");
        }
        String html;
        dev.mailflow.probe.Messages.use(language(x));
        try {
            html = dev.mailflow.probe.HtmlReport.render(report, "Mailflow " + dev.mailflow.MailflowVersion.get(),
                    java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC));
        } catch (RuntimeException e) {
            // A report the analyzer did not write (a step without its exchange, a cell without its name).
            LOG.debug("web console: a report that cannot be rendered: {}", e.toString());
            throw new ConsoleText.BadRequest("error.reportBody");
        } finally {
            dev.mailflow.probe.Messages.use("en");
        }
        String name = "mailflow-probe-" + report.target().replaceAll("[^A-Za-z0-9.-]+", "_") + ".html";
        x.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"" + name + "\"");
        x.getResponseHeaders().set("Content-Security-Policy", MESSAGE_CSP);
        send(x, 200, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8));
    }

    /** The fields of POST /api/checks, and the type each must have when given. */
    private static final Map<String, JsonNodeType> CHECK_FIELDS = Map.ofEntries(
            Map.entry("test", JsonNodeType.STRING),
            Map.entry("target", JsonNodeType.STRING),
            Map.entry("port", JsonNodeType.NUMBER),
            Map.entry("from", JsonNodeType.STRING),
            Map.entry("to", JsonNodeType.STRING),
            Map.entry("helo", JsonNodeType.STRING),
            Map.entry("dnsServer", JsonNodeType.STRING),
            Map.entry("timeout", JsonNodeType.NUMBER),
            Map.entry("consent", JsonNodeType.BOOLEAN),
            Map.entry("lang", JsonNodeType.STRING));

    /** The tests of POST /api/checks; relay and conformance send what a server may take as abuse. */
    static final List<String> CHECK_TESTS = List.of("addresses", "relay", "conformance");

    /**
     * {@code POST /api/checks}: one of the probe's server checks ({@code mailflow probe
     * --addresses}, {@code --relay-test}, {@code --conformance}) against one host, answered
     * with the same JSON as the command line's {@code --json}. The relay test and the
     * conformance run need {@code "consent": true}: they are for servers you run.
     */
    private void serverChecks(HttpExchange x) throws IOException {
        JsonNode b = body(x);
        // Refusals too in the language asked for (the form's switch), else the request's.
        String lang = b.path("lang").isTextual() && !b.path("lang").asText().isBlank()
                ? dev.mailflow.probe.Messages.supported(b.path("lang").asText()) : language(x);
        try {
            serverChecks(x, b, lang);
        } catch (ConsoleText.BadRequest bad) {
            failed(x, 400, bad.in(lang));
        }
    }

    private void serverChecks(HttpExchange x, JsonNode b, String lang) throws IOException {
        checkFieldTypes(b, CHECK_FIELDS);
        String asked = b.path("lang").asText("");
        if (!asked.isBlank() && !dev.mailflow.probe.Messages.LANGUAGES.contains(asked.strip())) {
            throw new ConsoleText.BadRequest("error.lang", asked);
        }
        String test = b.path("test").asText("").strip();
        if (!CHECK_TESTS.contains(test)) {
            throw new ConsoleText.BadRequest("error.checkTest", test, String.join(", ", CHECK_TESTS));
        }
        String to = b.path("to").asText("").strip();
        int at = to.lastIndexOf('@');
        if (at < 1 || at == to.length() - 1) {
            throw new ConsoleText.BadRequest("error.checkTo", to);
        }
        if (!test.equals("addresses") && !b.path("consent").asBoolean(false)) {
            throw new ConsoleText.BadRequest("error.checkConsent");
        }
        Integer port = bounded(b, "port", 1, 65535, "error.port");
        Integer given = bounded(b, "timeout", 1, 120, "error.timeout");
        int timeout = given == null ? 30 : given;
        // 6, 7: addresses as SMTP takes them between < and >, in ASCII, of sane length.
        for (String field : List.of("to", "from", "helo")) {
            String v = b.path(field).asText("").strip();
            if (v.length() > (field.equals("helo") ? 255 : 320) || v.chars().anyMatch(ch -> ch > 0x7e)
                    || !field.equals("helo") && v.chars().anyMatch(ch -> ch == '<' || ch == '>' || ch == ' ')
                    || field.equals("helo") && v.contains(" ")) {
                throw new ConsoleText.BadRequest("error.checkText", field, v.length() > 40 ? v.substring(0, 40) + "…" : v);
            }
        }
        String dnsServer = dnsServer(b);
        var target = dev.mailflow.probe.ProbeTarget.parse(b.path("target").asText("").strip(), port);
        String helo = b.path("helo").asText("").isBlank() ? config.hostname() : b.path("helo").asText().strip();
        String from = b.path("from").asText("").isBlank() ? "probe@" + helo : b.path("from").asText().strip();
        String host = target.host();
        if (!probesRunning.tryAcquire()) {
            failed(x, 503, ConsoleText.text(lang, "error.probesBusy", MAX_PROBES));
            return;
        }
        var doc = new LinkedHashMap<String, Object>();
        doc.put("schemaVersion", 1);
        doc.put("test", test);
        doc.put("target", target.hostPort());
        dev.mailflow.probe.Messages.use(lang);
        try {
            Duration limit = Duration.ofSeconds(timeout);
            var resolved = dev.mailflow.probe.DirectHost.resolve(host, dnsServer, limit);
            if (resolved.address() == null) {
                failed(x, 502, ConsoleText.text(lang, resolved.problem() == dev.mailflow.probe.DirectHost.Problem.DNS_DOWN
                        ? "error.checkDnsDown" : "error.checkNoAddress", host, dnsServer));
                return;
            }
            host = resolved.address();
            switch (test) {
                case "addresses" -> doc.put("addresses", dev.mailflow.probe.AddressHygiene.run(host, target.port(),
                        helo, from, to.substring(at + 1), limit));
                case "relay" -> {
                    var attempts = dev.mailflow.probe.RelayTest.run(host, target.port(), helo, from,
                            to.substring(at + 1), limit);
                    doc.put("openRelay", dev.mailflow.probe.RelayTest.openRelay(attempts));
                    doc.put("relay", attempts);
                }
                default -> doc.put("conformance", dev.mailflow.probe.Conformance.run(host, target.port(), helo, from,
                        to, limit, Duration.ofSeconds(Math.min(timeout, 3))));
            }
        } finally {
            probesRunning.release();
            dev.mailflow.probe.Messages.use("en");
        }
        json(x, 200, doc);
    }

    /**
     * A field that is a whole number from {@code min} to {@code max} (a JSON number or the form's
     * digits), or null when not given; a fraction, a huge value or anything else is a 400 with
     * {@code errorKey}.
     */
    private static Integer bounded(JsonNode b, String field, int min, int max, String errorKey) {
        JsonNode v = b.path(field);
        if (v.isMissingNode() || v.isNull() || v.asText().isBlank()) {
            return null;
        }
        long n = v.isIntegralNumber() && v.canConvertToLong() ? v.asLong()
                : v.isTextual() && v.asText().strip().matches("\\d{1,9}") ? Long.parseLong(v.asText().strip()) : -1;
        if (n < min || n > max) {
            throw new ConsoleText.BadRequest(errorKey, v.toString());
        }
        return (int) n;
    }

    /** The {@code dnsServer} field: blank, or "host:port" as the resolver takes it (else a 400). */
    private static String dnsServer(JsonNode b) {
        String dns = b.path("dnsServer").asText("").strip();
        if (!dns.isEmpty()) {
            try {
                dev.mailflow.dns.DnsjavaResolver.builder().server(dns);
            } catch (IllegalArgumentException e) {
                throw new ConsoleText.BadRequest("error.dnsServer", e.getMessage());
            }
        }
        return dns;
    }

    /**
     * The round trip's return mailbox: {@code from} must be a mailbox of this very server, where
     * the far side's report arrives.
     */
    private RoundTrip.Options roundTripMailbox(String from, List<String> to, int waitSeconds, String lang) {
        var address = dev.mailflow.smtp.AddressParser.parseMailbox(from, true);
        if (address == null || server.config().directory().mailbox(address) == null) {
            throw new ConsoleText.BadRequest("error.roundTripFrom", from);
        }
        if (to.isEmpty()) {
            throw new ConsoleText.BadRequest("error.roundTripTo");
        }
        Path maildir = mailboxes.maildir(address);
        return new RoundTrip.Options(maildir, Duration.ofSeconds(waitSeconds),
                ConsoleText.text(lang, "roundTrip.thisServer", config.hostname()));
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
            error(x, 404, "error.noSuchFile");
            return;
        }
        try (InputStream in = WebConsole.class.getResourceAsStream("static/" + name)) {
            if (in == null) {
                error(x, 404, "error.noSuchFile");
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
            byte[] body = in.readAllBytes();
            if (name.equals("index.html")) {
                body = page(new String(body, StandardCharsets.UTF_8), language(x)).getBytes(StandardCharsets.UTF_8);
                x.getResponseHeaders().set("Vary", "Accept-Language, Cookie");
            }
            send(x, 200, type, body);
        }
    }

    /** Where index.html receives the words of its language (a JSON data block: it does not run). */
    static final String MESSAGES_BLOCK = "<script type=\"application/json\" id=\"messages\"></script>";

    /**
     * The page in {@code language}: its {@code lang} attribute, and every message of the
     * language in a data block that app.js applies to the {@code data-i18n} elements. The
     * JSON is written so that nothing in it can end the block ({@code <}, {@code >} and
     * {@code &} escaped).
     */
    static String page(String template, String language) throws IOException {
        var text = ConsoleText.page(language);
        String json = QueueJson.MAPPER.writeValueAsString(text).replace("<", "\\u003c").replace(">", "\\u003e")
                .replace("&", "\\u0026");
        return template.replace("<html lang=\"en\">", "<html lang=\"" + text.get("tag") + "\">")
                .replace(MESSAGES_BLOCK, MESSAGES_BLOCK.replace("></script>", ">" + json + "</script>"));
    }

    /** {@code GET /api/messages?lang=}: the page's words in a language (the switch), or in the request's. */
    private void messages(HttpExchange x) throws IOException {
        String lang = query(x).get("lang");
        if (lang != null && !lang.isBlank() && !ConsoleText.languages().contains(lang.strip())) {
            throw new ConsoleText.BadRequest("error.lang", lang);
        }
        json(x, 200, ConsoleText.page(lang == null || lang.isBlank() ? language(x) : lang.strip()));
    }

    /** SECURITY: text for an HTML body. */
    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String cookie(HttpExchange x, String name) {
        for (String header : x.getRequestHeaders().getOrDefault("Cookie", List.of())) {
            for (String part : header.split(";")) {
                String t = part.strip();
                if (t.startsWith(name + "=")) {
                    return t.substring(name.length() + 1);
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
                    m.put(decode(kv.substring(0, eq)), decode(kv.substring(eq + 1)));
                }
            }
        }
        return m;
    }

    /** A %-encoded part of the address; a malformed escape is the client's mistake (400). */
    private static String decode(String raw) {
        try {
            return URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ConsoleText.BadRequest("error.malformedEscape", raw);
        }
    }

    /** A whole number from the query, {@code otherwise} when absent; anything else is a 400 in words. */
    private static int wholeNumber(Map<String, String> q, String name, int otherwise, int min, int max) {
        String v = q.get(name);
        if (v == null || v.isBlank()) {
            return otherwise;
        }
        if (v.strip().matches("\\d{1,9}")) {
            int n = Integer.parseInt(v.strip());
            if (n >= min) {
                return Math.min(n, max);
            }
        }
        throw new ConsoleText.BadRequest("error.wholeNumber", name, min, v);
    }

    /** The largest request body of the API's forms (the report download has its own limit). */
    static final int MAX_BODY = 64 * 1024;

    private static JsonNode body(HttpExchange x) throws IOException {
        byte[] b = x.getRequestBody().readNBytes(MAX_BODY + 1);
        if (b.length > MAX_BODY) {
            throw new ConsoleText.BadRequest("error.bodyTooLarge", MAX_BODY >> 10);
        }
        if (b.length == 0) {
            return QueueJson.MAPPER.createObjectNode();
        }
        try {
            // One JSON value and nothing after it: "{...} junk" is not a request either.
            return QueueJson.MAPPER.reader()
                    .with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(b);
        } catch (IOException e) {
            throw new ConsoleText.BadRequest("error.notJson");
        }
    }

    private static void json(HttpExchange x, int code, Object body) throws IOException {
        send(x, code, "application/json; charset=utf-8", QueueJson.MAPPER.writeValueAsBytes(body));
    }

    /** An error answer: the console's message {@code key} in the request's language. */
    private static void error(HttpExchange x, int code, String key, Object... args) throws IOException {
        json(x, code, Map.of("error", say(x, key, args)));
    }

    /** The console's message {@code key} in the request's language. */
    private static String say(HttpExchange x, String key, Object... args) {
        return ConsoleText.text(language(x), key, args);
    }

    /** The request's language, as {@link #handle} chose it (the switch's cookie, Accept-Language). */
    private static String language(HttpExchange x) {
        return x.getAttribute(LANGUAGE) instanceof String lang ? lang : "en";
    }

    private static final String LANGUAGE = "mailflow.language";

    /** An error answer (words already in the request's language) after a failure, when the answer may have begun already (an event stream). */
    private static void failed(HttpExchange x, int code, String message) {
        try {
            json(x, code, Map.of("error", message));
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not answer {} {}: {}", x.getRequestMethod(), x.getRequestURI(), e.toString());
        }
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
