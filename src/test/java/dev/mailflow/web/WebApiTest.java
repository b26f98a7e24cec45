package dev.mailflow.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailflow.queue.QueueJson;
import dev.mailflow.testing.SmtpTestClient;
import dev.mailflow.testing.TestServer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every endpoint of the console's API, with the refusals: no session, no CSRF token, wrong password. */
class WebApiTest {

    static TestServer server;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        // A deferred message (quota) to act on, and a delivered HTML message with a script and a remote image.
        server = TestServer.start(List.of(), List.of("[[mailbox]]", "address = \"full@fabrikam.com\"", "quota = 10"),
                List.of(), List.of("retry_intervals = [\"1h\"]"));
        base = "http://127.0.0.1:" + server.runtime().web().address().getPort();
        try (var c = new SmtpTestClient(server.port())) {
            c.reply();
            c.sendMessage("chris@contoso.com", "full@fabrikam.com", "Subject: too big for the quota\r\n\r\nbody");
        }
        try (var c = new SmtpTestClient(server.port())) {
            c.reply();
            c.sendMessage("chris@contoso.com", "kate@fabrikam.com", """
                    Subject: HTML with a script\r
                    MIME-Version: 1.0\r
                    Content-Type: multipart/alternative; boundary="b"\r
                    \r
                    --b\r
                    Content-Type: text/plain\r
                    \r
                    plain part\r
                    --b\r
                    Content-Type: text/html\r
                    \r
                    <p>hello</p><script>document.title='pwned'</script><img src="http://198.51.100.7/track.png">\r
                    --b--""");
        }
        server.awaitDelivered("kate@fabrikam.com", 1, Duration.ofSeconds(5));
        try (var c = new SmtpTestClient(server.port())) {
            c.reply();
            c.send("EHLO client.example");
            c.send("MAIL FROM:<chris@contoso.com>");
            assertThat(c.send("RCPT TO:<someone@elsewhere.example>").get(0)).startsWith("550 5.7.54");
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A client as a browser is one: the session cookie sent back, the CSRF token in a header. */
    record Client(HttpClient http, String cookie, String csrf) {
        HttpResponse<String> get(String path) throws Exception {
            var b = HttpRequest.newBuilder(URI.create(base + path)).GET();
            if (cookie != null) {
                b.header("Cookie", cookie);
            }
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> post(String path, String json, boolean withCsrf) throws Exception {
            var b = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json));
            if (cookie != null) {
                b.header("Cookie", cookie);
            }
            if (withCsrf && csrf != null) {
                b.header("X-CSRF-Token", csrf);
            }
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    static Client anonymous() {
        return new Client(HttpClient.newHttpClient(), null, null);
    }

    static Client loggedIn() throws Exception {
        var c = anonymous();
        var r = c.post("/api/login", "{\"password\":\"admin-secret\"}", false);
        assertThat(r.statusCode()).isEqualTo(200);
        String setCookie = r.headers().firstValue("Set-Cookie").orElse("");
        assertThat(setCookie).contains("HttpOnly").contains("SameSite=Strict");
        return new Client(c.http(), setCookie.substring(0, setCookie.indexOf(';')), json(r).path("csrf").asText());
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return QueueJson.MAPPER.readTree(r.body());
    }

    @Test
    void refusals() throws Exception {
        var a = anonymous();
        assertThat(a.get("/api/status").statusCode()).isEqualTo(401);
        assertThat(a.get("/api/queue").statusCode()).isEqualTo(401);
        assertThat(a.post("/api/login", "{\"password\":\"wrong\"}", false).statusCode()).isEqualTo(401);
        var c = loggedIn();
        assertThat(c.post("/api/queue/1/retry", "{}", false).statusCode()).as("no CSRF token").isEqualTo(403);
        assertThat(new Client(c.http(), c.cookie(), "forged").post("/api/logout", "{}", true).statusCode())
                .isEqualTo(403);
        assertThat(c.get("/api/nothing").statusCode()).isEqualTo(404);
        assertThat(c.get("/static/../../etc/passwd").statusCode()).isEqualTo(404);
        // Reading is GET: a POST to a reading API is refused, saying which method it takes.
        var wrongMethod = c.post("/api/status", "{}", true);
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(wrongMethod.headers().firstValue("Allow")).hasValue("GET");
        assertThat(json(wrongMethod).path("error").asText()).isEqualTo("POST is not a method of /api/status: use GET");
        assertThat(c.get("/api/logout").statusCode()).isEqualTo(405);
        // A login body of the wrong shape is a 400 (and no guess of the password).
        var a2 = anonymous();
        assertThat(a2.post("/api/login", "{\"password\":123}", false).statusCode()).isEqualTo(400);
        assertThat(a2.post("/api/login", "[1,2]", false).statusCode()).isEqualTo(400);
        var extra = a2.post("/api/login", "{\"password\":\"admin-secret\",\"zzz\":1}", false);
        assertThat(extra.statusCode()).isEqualTo(400);
        assertThat(json(extra).path("error").asText()).isEqualTo("unknown field 'zzz' (known: password)");
    }

    @Test
    void loginIsRateLimited() throws Exception {
        // The limit is per client address: a server of its own, so the other tests can still log in.
        try (var other = TestServer.start()) {
            var http = HttpClient.newHttpClient();
            String url = "http://127.0.0.1:" + other.runtime().web().address().getPort() + "/api/login";
            int last = 0;
            for (int i = 0; i <= Sessions.LOGIN_FAILURES; i++) {
                last = http.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(
                        "{\"password\":\"guess" + i + "\"}")).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
            }
            assertThat(last).isEqualTo(429);
            assertThat(http.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(
                    "{\"password\":\"admin-secret\"}")).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .as("even the right password, while blocked").isEqualTo(429);
        }
    }

    @Test
    void statusQueueAndActions() throws Exception {
        var c = loggedIn();
        var status = json(c.get("/api/status"));
        assertThat(status.path("hostname").asText()).isEqualTo("mail1.fabrikam.com");
        assertThat(status.path("connectors")).hasSize(2);
        var counters = status.path("counters");
        assertThat(counters.path("received").isIntegralNumber()).as("counters are whole numbers: " + counters)
                .isTrue();
        assertThat(counters.path("received").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(counters.fieldNames()).toIterable().containsExactly("received", "delivered", "sent",
                "deferralAttempts", "failed", "dsn");
        counters.forEach(n -> assertThat(n.isIntegralNumber()).isTrue());
        assertThat(status.path("queue").fieldNames()).toIterable()
                .containsExactly("ACTIVE", "DEFERRED", "HOLD", "CORRUPT");

        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        JsonNode queue = json(c.get("/api/queue?state=deferred"));
        while (queue.path("messages").isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            queue = json(c.get("/api/queue?state=deferred"));
        }
        assertThat(queue.path("messages")).hasSize(1);
        long id = queue.path("messages").get(0).path("id").asLong();
        assertThat(queue.path("messages").get(0).path("lastError").asText()).contains("Mailbox full");
        assertThat(queue.path("messages").get(0).path("nextAttempt").asText()).isNotEmpty();
        var detail = json(c.get("/api/queue/" + id));
        assertThat(detail.path("message").path("envelope").path("messageId").asText()).isNotEmpty();
        assertThat(detail.path("headers").toString()).contains("Subject: too big for the quota");
        var recipient = detail.path("recipients").get(0);
        assertThat(recipient.path("status").asText()).isEqualTo("pending");
        assertThat(recipient.path("enhancedStatus").asText()).isEqualTo("4.2.2");
        assertThat(recipient.path("explanation").asText()).as("from the one status catalogue")
                .isEqualTo("Persistent transient failure / Mailbox status / Mailbox full");
        assertThat(recipient.path("detail").asText()).startsWith("Mailbox full: ");
        var hold = c.post("/api/queue/" + id + "/hold", "{}", true);
        assertThat(hold.statusCode()).isEqualTo(200);
        assertThat(json(hold).path("message").asText()).isEqualTo("message " + id
                + " is on hold: it is not delivered until it is released");
        var held = json(c.get("/api/queue?state=hold")).path("messages");
        assertThat(held).hasSize(1);
        assertThat(held.get(0).path("holdReason").asText()).startsWith("held by the operator at ");
        var retryHeld = c.post("/api/queue/" + id + "/retry", "{}", true);
        assertThat(retryHeld.statusCode()).as("retry on hold").isEqualTo(409);
        assertThat(json(retryHeld).path("message").asText()).contains("release it first");
        var release = c.post("/api/queue/" + id + "/release", "{}", true);
        assertThat(release.statusCode()).isEqualTo(200);
        assertThat(json(release).path("message").asText()).isEqualTo("message " + id
                + " released: it will be tried again now");
        assertThat(json(c.get("/api/queue/" + id)).path("message").path("state").asText()).isNotEqualTo("HOLD");
        assertThat(c.post("/api/queue/" + id + "/retry", "{}", true).statusCode()).isEqualTo(200);
        assertThat(c.post("/api/queue/" + id + "/delete", "{}", true).statusCode()).isEqualTo(200);
        assertThat(c.get("/api/queue/" + id).statusCode()).isEqualTo(404);
    }

    @Test
    void badParametersAreAnsweredInWordsWithoutJava() throws Exception {
        var c = loggedIn();
        var state = c.get("/api/queue?state=bogus");
        assertThat(state.statusCode()).isEqualTo(400);
        assertThat(json(state).path("error").asText())
                .isEqualTo("'bogus' is not a queue state: use active, deferred, hold or corrupt");
        var id = c.get("/api/queue/abc");
        assertThat(id.statusCode()).isEqualTo(400);
        assertThat(json(id).path("error").asText())
                .isEqualTo("abc is not a queue id (ids are the numbers that queue list shows)");
        var page = c.get("/api/queue?page=two");
        assertThat(page.statusCode()).isEqualTo(400);
        assertThat(json(page).path("error").asText()).isEqualTo("page must be a whole number from 1, not 'two'");
        assertThat(json(c.get("/api/track?id=x1")).path("error").asText()).startsWith("x1 is not a queue id");
        assertThat(json(c.get("/api/track?since=soon")).path("error").asText())
                .isEqualTo("since: 'soon' is not a date, a time or a duration such as 2h");
        var action = c.post("/api/queue/1/frobnicate", "{}", true);
        assertThat(action.statusCode()).isEqualTo(400);
        assertThat(json(action).path("error").asText()).isEqualTo("no action 'frobnicate': retry, hold, release or "
                + "delete");
        for (var r : List.of(state, id, page, action)) {
            assertThat(r.body()).doesNotContain("Exception").doesNotContain("dev.mailflow").doesNotContain("enum");
        }
    }

    @Test
    void trackingSearch() throws Exception {
        var c = loggedIn();
        var events = json(c.get("/api/track?recipient=kate%40fabrikam.com"));
        assertThat(events.findValuesAsText("event")).contains("RECEIVE", "DELIVER");
        for (JsonNode e : events) {
            if (e.path("event").asText().equals("DELIVER")) {
                assertThat(e.path("explanation").asText()).isEqualTo("Success / Other or undefined status / "
                        + "Other undefined status");
            }
        }
        assertThat(json(c.get("/api/track?sender=nobody%40x.test"))).isEmpty();
        assertThat(c.get("/api/track?since=yesterday-ish").statusCode()).isEqualTo(400);
    }

    @Test
    void mailboxesAndASafeHtmlView() throws Exception {
        var c = loggedIn();
        var list = json(c.get("/api/mailboxes"));
        assertThat(list.findValuesAsText("address")).contains("kate@fabrikam.com");
        String box = "/api/mailboxes/" + URLEncoder.encode("kate@fabrikam.com", StandardCharsets.UTF_8);
        var messages = json(c.get(box + "/messages"));
        String name = null;
        for (var m : messages) {
            if (m.path("subject").asText().equals("HTML with a script")) {
                name = m.path("name").asText();
            }
        }
        assertThat(name).isNotNull();
        String msg = box + "/messages/" + URLEncoder.encode(name, StandardCharsets.UTF_8);
        var detail = json(c.get(msg));
        assertThat(detail.path("text").asText()).contains("plain part");
        assertThat(detail.path("hasHtml").asBoolean()).isTrue();
        var html = c.get(msg + "/html");
        assertThat(html.headers().firstValue("Content-Security-Policy").orElse(""))
                .contains("default-src 'none'").contains("sandbox").doesNotContain("script-src");
        assertThat(html.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        var raw = c.get(msg + "/raw");
        assertThat(raw.headers().firstValue("Content-Type").orElse("")).isEqualTo("message/rfc822");
        assertThat(raw.body()).contains("Return-Path: <chris@contoso.com>");
        assertThat(c.get(box + "/messages/..%2F..%2Fetc%2Fpasswd").statusCode()).isEqualTo(404);
        assertThat(c.get("/api/mailboxes/nobody%40x.test/messages").statusCode()).isEqualTo(404);
    }

    @Test
    void probeStreamsStepsAsServerSentEvents() throws Exception {
        var c = loggedIn();
        var r = c.post("/api/probe", "{\"target\":\"127.0.0.1:" + server.port()
                + "\",\"from\":\"chris@contoso.com\",\"to\":[\"kate@fabrikam.com\"],\"data\":true}", true);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        assertThat(r.body()).contains("event: step\ndata: {\"name\":\"DNS\"").contains("\"name\":\"RCPT\"")
                .contains("event: done\ndata: {\"schemaVersion\":2").contains("\"outcome\":\"PASSED\"");
        // The done event's report, posted back, comes as the --format html file to download.
        String done = r.body().substring(r.body().indexOf("event: done\ndata: ") + "event: done\ndata: ".length()).strip();
        var html = c.post("/api/probe/html", done, true);
        assertThat(html.statusCode()).as(html.body()).isEqualTo(200);
        assertThat(html.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(html.headers().firstValue("Content-Disposition").orElse(""))
                .isEqualTo("attachment; filename=\"mailflow-probe-127.0.0.1_" + server.port() + ".html\"");
        assertThat(html.body()).startsWith("<!DOCTYPE html>").contains("PASSED").contains("RCPT")
                .doesNotContain("<script");
        for (String bad : new String[] {"{}", "[1]", "{\"target\":\"x\",\"outcome\":\"PASSED\"}", "not json",
                "{\"schemaVersion\":2,\"target\":\"t\",\"outcome\":\"PASSED\",\"steps\":[{\"name\":\"x\",\"status\":\"PASS\"}]}"}) {
            var refused = c.post("/api/probe/html", bad, true);
            assertThat(refused.statusCode()).as(bad).isEqualTo(400);
            assertThat(refused.body()).as(bad).contains("must be a probe report").doesNotContain("Exception");
        }
        assertThat(c.post("/api/probe/pdf", done, true).statusCode()).isEqualTo(404);
        assertThat(c.post("/api/probe", "{}", true).statusCode()).isEqualTo(400);
        var notHere = c.post("/api/probe", "{\"target\":\"127.0.0.1:" + server.port()
                + "\",\"from\":\"chris@contoso.com\",\"to\":[\"kate@fabrikam.com\"],\"roundTrip\":true}", true);
        assertThat(notHere.statusCode()).isEqualTo(400);
        assertThat(notHere.body()).contains("From must be a mailbox of this server");
        var chinese = c.post("/api/probe", "{\"target\":\"127.0.0.1:" + server.port()
                + "\",\"from\":\"chris@contoso.com\",\"to\":[\"nobody@fabrikam.com\"],\"lang\":\"zh\"}", true);
        assertThat(chinese.body()).contains("指定的收件人在该服务器上不存在。").contains("5yz：未被接受")
                .as("the steps' own sentences and the progress line too").contains("的 TCP 连接。").contains("正在连接 ");
        var french = c.post("/api/probe", "{\"target\":\"127.0.0.1:" + server.port()
                + "\",\"from\":\"chris@contoso.com\",\"to\":[\"nobody@fabrikam.com\"],\"lang\":\"fr\"}", true);
        assertThat(french.body()).contains("Le destinataire indiqué n'existe pas.").contains("5yz : refusée")
                .contains("Connexion TCP vers ").contains("connexion à ");
        for (String[] bad : new String[][] {{"\"lang\":\"de\"", "lang must be en, zh or fr"},
                {"\"to\":\"kate@fabrikam.com\"", "to must be a list of strings"},
                {"\"wait\":901", "wait must be from 1 to 900"}, {"\"bogus\":1", "unknown field 'bogus'"},
                {"\"starttls\":\"maybe\"", "starttls must be auto, require or never"},
                {"\"port\":\"abc\"", "port must be a whole number"}, {"\"timeout\":0", "timeout must be from 1"},
                {"\"roundTrip\":\"yes\"", "roundTrip must be true or false"},
                {"\"dnsServer\":\"no where\"", "dnsServer: "}}) {
            var r400 = c.post("/api/probe", "{\"target\":\"127.0.0.1:9\"," + bad[0] + "}", true);
            assertThat(r400.statusCode()).as(bad[0]).isEqualTo(400);
            assertThat(r400.body()).as(bad[0]).contains(bad[1]);
        }
        var badMode = c.post("/api/probe", "{\"target\":\"127.0.0.1:9\",\"mode\":\"some\"}", true);
        assertThat(badMode.statusCode()).isEqualTo(400);
        assertThat(badMode.body()).contains("auto, all or first");
    }

    @Test
    void serverChecksAnswerWithTheProbesJsonAndTheIntrusiveOnesNeedConsent() throws Exception {
        var c = loggedIn();
        var r = c.post("/api/checks", "{\"test\":\"addresses\",\"target\":\"127.0.0.1:" + server.port()
                + "\",\"to\":\"kate@fabrikam.com\"}", true);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        var d = json(r);
        assertThat(d.path("test").asText()).isEqualTo("addresses");
        assertThat(d.path("addresses").findValuesAsText("name")).containsExactly("postmaster", "abuse", "unknown user");
        var postmaster = d.path("addresses").get(0);
        assertThat(postmaster.path("verdict").asText()).as(postmaster.toString()).isEqualTo("pass");
        assertThat(postmaster.path("reply").asText()).startsWith("250");
        var unknown = d.path("addresses").get(2);
        assertThat(unknown.path("verdict").asText()).as("refused at RCPT, not bounced later").isEqualTo("pass");
        assertThat(unknown.path("reply").asText()).startsWith("550");

        for (String test : new String[] {"relay", "conformance"}) {
            var refused = c.post("/api/checks", "{\"test\":\"" + test + "\",\"target\":\"127.0.0.1:" + server.port()
                    + "\",\"to\":\"kate@fabrikam.com\"}", true);
            assertThat(refused.statusCode()).as(test).isEqualTo(400);
            assertThat(refused.body()).contains("tick that you run this server");
        }
        var chinese = c.post("/api/checks", "{\"test\":\"relay\",\"target\":\"127.0.0.1:9\",\"to\":\"kate@fabrikam.com\","
                + "\"lang\":\"zh\"}", true);
        assertThat(chinese.body()).contains("请勾选确认这台服务器由你运营");
        for (String[] bad : new String[][] {{"\"test\":\"smuggle\"", "test must be one of addresses, relay, conformance"},
                {"\"test\":\"addresses\",\"lang\":\"de\"", "lang must be en, zh or fr"},
                {"\"test\":\"addresses\",\"to\":\"kate\"", "To must be an address of the server's domain"},
                {"\"test\":\"addresses\",\"to\":\"a@b.test\",\"port\":70000", "port must be a number from 1 to 65535"},
                {"\"test\":\"addresses\",\"to\":\"a@b.test\",\"consent\":\"yes\"", "consent must be true or false"},
                {"\"test\":\"addresses\",\"to\":\"a@b.test\",\"bogus\":1", "unknown field 'bogus'"},
                {"\"test\":\"addresses\",\"to\":\"a@b.test\",\"port\":4294969821", "port must be a number"},
                {"\"test\":\"addresses\",\"to\":\"a@b.test\",\"port\":2525.9", "port must be a number"},
                {"\"test\":\"addresses\",\"to\":\"a@b.test\",\"timeout\":4294967326", "timeout must be from 1"},
                {"\"test\":\"addresses\",\"to\":\"a@b.test> NOTIFY=SUCCESS\"", "to must be plain ASCII"},
                {"\"test\":\"addresses\",\"to\":\"a@b.test\",\"from\":\"x> SIZE=1\"", "from must be plain ASCII"},
                {"\"test\":\"addresses\",\"to\":\"a@b\u010d.test\"", "to must be plain ASCII"},
                {"\"test\":\"addresses\",\"to\":\"a@b.test\",\"helo\":\"" + "h".repeat(300) + "\"", "helo must be plain ASCII"},
                {"\"test\":\"addresses\",\"to\":\"a@b.test\\r\\nRSET\"", "control character"}}) {
            var r400 = c.post("/api/checks", "{\"target\":\"127.0.0.1:9\"," + bad[0] + "}", true);
            assertThat(r400.statusCode()).as(bad[0]).isEqualTo(400);
            assertThat(r400.body()).as(bad[0]).contains(bad[1]).doesNotContain("Exception");
        }
        // A DNS server that never answers: a 502 that says so, within the test's timeout, not a hang.
        try (var silent = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            long t0 = System.nanoTime();
            var noDns = c.post("/api/checks", "{\"test\":\"addresses\",\"target\":\"mx.nowhere.test\",\"to\":\"a@b.test\","
                    + "\"timeout\":2,\"dnsServer\":\"127.0.0.1:" + silent.getLocalPort() + "\"}", true);
            assertThat(noDns.statusCode()).as(noDns.body()).isEqualTo(502);
            assertThat(noDns.body()).contains("did not answer");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(8));
        }
        var v6 = c.post("/api/checks", "{\"test\":\"addresses\",\"target\":\"[::1]:9\",\"to\":\"a@b.test\",\"timeout\":2}", true);
        assertThat(json(v6).path("target").asText()).isEqualTo("[::1]:9");
        var junk = c.post("/api/checks", "{\"test\":\"addresses\",\"target\":\"127.0.0.1:9\",\"to\":\"a@b.test\"} junk", true);
        assertThat(junk.statusCode()).isEqualTo(400);
        var huge = c.post("/api/checks", "{\"test\":\"addresses\",\"helo\":\"" + "h".repeat(70_000) + "\"}", true);
        assertThat(huge.statusCode()).isEqualTo(400);
        assertThat(huge.body()).contains("at most 64 KiB");
        var down = c.post("/api/checks", "{\"test\":\"addresses\",\"target\":\"127.0.0.1:9\",\"to\":\"a@b.test\"}", true);
        assertThat(down.statusCode()).isEqualTo(200);
        assertThat(json(down).path("addresses").findValuesAsText("verdict")).containsOnly("warn");
    }

    @Test
    void rejectionsAreTrackedWithTheirCheckAndCounted() throws Exception {
        var c = loggedIn();
        var events = json(c.get("/api/track?recipient=someone%40elsewhere.example"));
        assertThat(events).hasSize(1);
        var rejected = events.get(0);
        assertThat(rejected.path("event").asText()).isEqualTo("REJECT");
        assertThat(rejected.path("check").asText()).isEqualTo("relay");
        assertThat(rejected.path("status").asText()).isEqualTo("5.7.54");
        assertThat(rejected.path("sender").asText()).isEqualTo("chris@contoso.com");
        assertThat(rejected.path("connector").asText()).isEqualTo("Default Frontend");
        assertThat(json(c.get("/api/status")).path("rejections").path("relay").asLong()).isEqualTo(1);
        assertThat(anonymous().get("/metrics").body()).contains("mailflow_rejections_total{check=\"relay\"} 1.0")
                .contains("mailflow_rejections_total{check=\"dnsbl\"} 0.0");
    }

    @Test
    void metricsForPrometheus() throws Exception {
        var r = anonymous().get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("mailflow_connections_open{connector=\"Default Frontend\"}")
                .contains("mailflow_connections_total").contains("mailflow_messages_total{event=\"received\"}")
                .contains("mailflow_messages_total{event=\"delivered\"}").contains("mailflow_queue_messages{state=\"deferred\"}")
                .contains("mailflow_delivery_latency_seconds_count").contains("mailflow_tls_handshakes_total")
                .contains("mailflow_auth_failures_total").contains("mailflow_messages_total{event=\"dsn\"}");
    }

    @Test
    void metricsBehindBasicAuthWhenAsked() throws Exception {
        // The default beyond loopback; tests stay on loopback, so it is switched on here.
        var base = TestServer.config(List.of(), List.of());
        var web = new WebConfig(true, base.web().bind(), base.web().password(), true);
        try (var other = TestServer.start(new dev.mailflow.app.MailflowConfig(base.source(), web, base.logs(),
                base.server(), base.queue(), base.delivery()))) {
            var http = HttpClient.newHttpClient();
            var url = URI.create("http://127.0.0.1:" + other.runtime().web().address().getPort() + "/metrics");
            var none = http.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Basic realm=");
            assertThat(none.body()).doesNotContain("mailflow_");
            for (String pass : List.of("admin-secret", "admin-secret")) { // the second is remembered
                var ok = http.send(HttpRequest.newBuilder(url).header("Authorization", basic("prometheus", pass))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(ok.statusCode()).isEqualTo(200);
                assertThat(ok.body()).contains("mailflow_connections_total");
            }
            int last = 0;
            for (int i = 0; i <= Sessions.LOGIN_FAILURES; i++) {
                last = http.send(HttpRequest.newBuilder(url).header("Authorization", basic("prometheus", "guess" + i))
                        .build(), HttpResponse.BodyHandlers.ofString()).statusCode();
            }
            assertThat(last).as("wrong passwords count against the login limit").isEqualTo(429);
            assertThat(http.send(HttpRequest.newBuilder(url).header("Authorization", "Basic !!notbase64")
                    .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(429);
        }
        assertThat(MetricsAccess.password("Basic !!")).isNull();
        assertThat(MetricsAccess.password("Bearer abc")).isNull();
        assertThat(MetricsAccess.password(basic("u", "p:w").strip())).isEqualTo("p:w");
    }

    private static String basic(String user, String password) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
    }

    /** A GET with the headers a browser sends: Accept-Language, and the switch's cookie when given. */
    static HttpResponse<String> browser(String path, String acceptLanguage, String cookie) throws Exception {
        var b = HttpRequest.newBuilder(URI.create(base + path)).GET().header("Accept-Language", acceptLanguage);
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theConsoleSpeaksTheBrowsersLanguageOrTheSwitchs() throws Exception {
        // A Chinese browser gets the page in Chinese: its lang, and its words in the data block app.js applies.
        var zh = browser("/", "zh-CN,zh;q=0.9,en;q=0.8", null);
        assertThat(zh.statusCode()).isEqualTo(200);
        assertThat(zh.headers().firstValue("Vary").orElse("")).contains("Accept-Language").contains("Cookie");
        assertThat(zh.body()).contains("<html lang=\"zh-Hans\">")
                .contains("<script type=\"application/json\" id=\"messages\">{")
                .contains("\"nav.overview\":\"概览\"", "\"nav.queue\":\"邮件队列\"", "\"login.password\":\"管理员密码\"",
                        "\"column.recipients\":\"收件人\"", "\"counter.received\":\"已接收（自启动以来）\"")
                .doesNotContain("\"nav.overview\":\"Overview\"");
        // The switch's cookie wins over the browser; an English browser gets English.
        var switched = browser("/", "zh-CN,zh;q=0.9", "mailflow_lang=en");
        assertThat(switched.body()).contains("<html lang=\"en\">").contains("\"nav.overview\":\"Overview\"");
        assertThat(browser("/", "en-US,en;q=0.9", null).body()).contains("\"nav.queue\":\"Queue\"");
        assertThat(browser("/", "en-US", "mailflow_lang=zh").body()).contains("\"nav.queue\":\"邮件队列\"");
        // Nothing in a message can end the data block.
        assertThat(zh.body().substring(zh.body().indexOf("id=\"messages\">"), zh.body().indexOf("</script>")))
                .doesNotContain("<").contains("\\u003c");
        // The switch asks for a language's words without a session (the login page needs them).
        var words = browser("/api/messages?lang=zh", "en-US", null);
        assertThat(words.statusCode()).isEqualTo(200);
        assertThat(json(words).path("messages").path("queue.page").asText()).isEqualTo("第 {0} 页，共 {1} 页");
        assertThat(json(words).path("languages").path("zh").asText()).isEqualTo("简体中文");
        assertThat(json(words).path("languages").path("en").asText()).isEqualTo("English");
        assertThat(json(browser("/api/messages", "zh-CN", null)).path("lang").asText()).isEqualTo("zh");
        var de = browser("/api/messages?lang=de", "en-US", null);
        assertThat(de.statusCode()).isEqualTo(400);
        assertThat(json(de).path("error").asText()).isEqualTo("lang must be en, zh or fr, not 'de'");
        // A French browser gets the page in French, and the console's errors in French.
        var fr = browser("/", "fr-FR,fr;q=0.9", null);
        assertThat(fr.body()).contains("<html lang=\"fr\">").contains("\"nav.queue\":\"File d'attente\"")
                .contains("\"login.password\":\"Mot de passe d'administration\"").contains("\"fr\":\"Français\"");
        assertThat(json(browser("/api/messages", "fr-FR,fr;q=0.9", null)).path("lang").asText()).isEqualTo("fr");
        assertThat(json(browser("/api/messages?lang=fr", "zh-CN", null)).path("messages").path("queue.page").asText())
                .isEqualTo("page {0} sur {1}");
        assertThat(json(browser("/api/status", "fr-FR,fr;q=0.9", null)).path("error").asText())
                .isEqualTo("connectez-vous d'abord");
        // The console's own errors in the request's language; none without Accept-Language (an API client).
        assertThat(json(browser("/api/status", "zh-CN", null)).path("error").asText()).isEqualTo("请先登录");
        assertThat(json(anonymous().get("/api/status")).path("error").asText()).isEqualTo("log in first");
        var c = loggedIn();
        var bad = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/api/probe"))
                .header("Content-Type", "application/json").header("Cookie", c.cookie() + "; mailflow_lang=zh")
                .header("X-CSRF-Token", c.csrf()).POST(HttpRequest.BodyPublishers.ofString(
                        "{\"target\":\"127.0.0.1:9\",\"wait\":901}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json(bad).path("error").asText()).isEqualTo("wait 必须在 1 到 900 秒之间，而不是 901");
    }

    @Test
    void pagesComeWithASecurityPolicy() throws Exception {
        var r = anonymous().get("/");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("<title>Mailflow</title>");
        assertThat(r.headers().firstValue("Content-Security-Policy").orElse("")).contains("default-src 'self'");
        assertThat(anonymous().get("/static/app.js").body()).contains("X-CSRF-Token");
    }
}
