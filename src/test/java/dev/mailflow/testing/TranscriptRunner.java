package dev.mailflow.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** Plays a {@link Transcript} against a fresh {@link TestServer}. */
public final class TranscriptRunner {

    private TranscriptRunner() {
    }

    public static void run(Transcript t) throws Exception {
        Dnsmasq dns = null;
        var delivery = new java.util.ArrayList<String>();
        if (!t.dns().isEmpty()) {
            var logs = java.nio.file.Files.createTempDirectory("transcript-dns");
            dns = Dnsmasq.start(Dnsmasq.freePort(), t.dns(), logs.resolve("dnsmasq.log"));
            delivery.add("dns_server = \"127.0.0.1:" + dns.port() + "\"");
        }
        try (var dnsServer = dns;
             var server = TestServer.start(t.connectorConfig(), t.tables(), delivery, List.of());
             var socket = new Socket()) {
            socket.connect(server.address(t.connector()), 5000);
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            var out = socket.getOutputStream();
            var log = new StringBuilder();
            for (var step : t.steps()) {
                switch (step) {
                    case Transcript.Send s -> {
                        log.append("C: ").append(s.shown()).append('\n');
                        out.write(s.bytes());
                        out.flush();
                    }
                    case Transcript.Expect e -> {
                        String line = readLine(in);
                        if (line == null) {
                            fail("%s:%d: expected '%s' but the connection was closed%n%s", t.name(), e.line(),
                                    e.shown(), log);
                        }
                        log.append("S: ").append(line).append('\n');
                        if (!e.pattern().matcher(line).matches()) {
                            fail("%s:%d: expected%n  %s%nbut the server said%n  %s%nsession so far:%n%s", t.name(),
                                    e.line(), e.shown(), line, log);
                        }
                    }
                    case Transcript.ExpectLast e -> {
                        String line;
                        do {
                            line = readLine(in);
                            if (line == null) {
                                fail("%s:%d: expected a reply ending '%s' but the connection was closed%n%s", t.name(),
                                        e.line(), e.shown(), log);
                            }
                            log.append("S: ").append(line).append('\n');
                        } while (line.length() > 3 && line.charAt(3) == '-');
                        if (!e.pattern().matcher(line).matches()) {
                            fail("%s:%d: expected a reply ending%n  %s%nbut the server said%n  %s%nsession so far:%n%s",
                                    t.name(), e.line(), e.shown(), line, log);
                        }
                    }
                    case Transcript.ExpectLines e -> {
                        var reply = new java.util.ArrayList<String>();
                        String line;
                        do {
                            line = readLine(in);
                            if (line == null) {
                                fail("%s:%d: expected a reply with%n  %s%nbut the connection was closed%n%s", t.name(),
                                        e.line(), String.join("\n  ", e.shown()), log);
                            }
                            log.append("S: ").append(line).append('\n');
                            reply.add(line.length() > 3 ? line.substring(0, 3) + " " + line.substring(4) : line);
                        } while (line.length() > 3 && line.charAt(3) == '-');
                        for (var p : e.present()) {
                            if (reply.stream().noneMatch(r -> p.matcher(r).matches())) {
                                fail("%s:%d: expected a line of the reply to match%n  %s%nbut the server said%n%s"
                                        + "%nsession so far:%n%s", t.name(), e.line(), p, String.join("\n", reply), log);
                            }
                        }
                        for (var p : e.absent()) {
                            if (reply.stream().anyMatch(r -> p.matcher(r).matches())) {
                                fail("%s:%d: expected no line of the reply to match%n  %s%nbut the server said%n%s"
                                        + "%nsession so far:%n%s", t.name(), e.line(), p, String.join("\n", reply), log);
                            }
                        }
                    }
                    case Transcript.Closed c -> {
                        String line = readLine(in);
                        assertThat(line).as("%s:%d: expected the connection to be closed%n%s", t.name(), c.line(),
                                log).isNull();
                    }
                    case Transcript.Sleep s -> Thread.sleep(s.millis());
                }
            }
        }
    }

    /** One reply line without CRLF; null at end of stream. Fails on a line not ended by CRLF. */
    static String readLine(InputStream in) throws IOException {
        var buf = new ByteArrayOutputStream();
        try {
            while (true) {
                int b = in.read();
                if (b < 0) {
                    if (buf.size() == 0) {
                        return null;
                    }
                    fail("reply line not ended by CRLF: " + buf.toString(StandardCharsets.UTF_8));
                }
                if (b == '\n') {
                    byte[] bytes = buf.toByteArray();
                    if (bytes.length == 0 || bytes[bytes.length - 1] != '\r') {
                        fail("reply line ended by a bare LF: " + buf.toString(StandardCharsets.UTF_8));
                    }
                    return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
                }
                buf.write(b);
            }
        } catch (SocketTimeoutException e) {
            return fail("no reply within 10 seconds; received so far: " + buf.toString(StandardCharsets.UTF_8));
        } catch (SocketException e) {
            // A reset after the server closed counts as closed.
            if (buf.size() == 0) {
                return null;
            }
            throw e;
        }
    }
}
