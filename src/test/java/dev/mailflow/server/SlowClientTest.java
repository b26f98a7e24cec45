package dev.mailflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.testing.SmtpTestClient;
import dev.mailflow.testing.TestServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Slow clients (issue: "Slow clients are never timed out"): a command line, a message and a
 * TLS handshake each have a deadline as a whole, and a full connector closes its idlest
 * connection for a new client. Each case dripped one octet at a time, which renewed the old
 * per-read timeouts for ever.
 */
class SlowClientTest {

    /** Sends {@code bytes} one octet every {@code every} until the server closes; the time it took. */
    private static Duration dripUntilClosed(Socket socket, byte[] bytes, Duration every, Duration atMost)
            throws Exception {
        var closed = new AtomicBoolean();
        long start = System.nanoTime();
        var reader = Thread.ofVirtual().start(() -> {
            try {
                var in = socket.getInputStream();
                while (in.read() >= 0) {
                    // replies, then the end of the connection
                }
            } catch (Exception e) {
                // reset: closed too
            }
            closed.set(true);
        });
        var out = socket.getOutputStream();
        for (int i = 0; !closed.get() && System.nanoTime() - start < atMost.toNanos(); i = (i + 1) % bytes.length) {
            try {
                out.write(bytes[i]);
                out.flush();
            } catch (Exception e) {
                break;
            }
            Thread.sleep(every);
        }
        reader.join(Duration.ofSeconds(5));
        assertThat(closed.get()).as("closed by the server within " + atMost).isTrue();
        return Duration.ofNanos(System.nanoTime() - start);
    }

    @Test
    void aCommandLineDrippedAnOctetAtATimeTimesOutAsAWhole() throws Exception {
        try (var server = TestServer.start(List.of("command_timeout = \"2s\""), List.of());
             var c = new SmtpTestClient(server.port())) {
            c.socket.setSoTimeout(20_000);
            assertThat(c.reply().get(0)).startsWith("220 ");
            var took = dripUntilClosed(c.socket, "EHLO contoso.com".getBytes(StandardCharsets.US_ASCII),
                    Duration.ofMillis(300), Duration.ofSeconds(15));
            assertThat(took).isLessThan(Duration.ofSeconds(6));
        }
    }

    @Test
    void aMessageDrippedBelowTheMinimumRateTimesOut() throws Exception {
        try (var server = TestServer.start(List.of("data_timeout = \"2s\""), List.of());
             var c = new SmtpTestClient(server.port())) {
            c.socket.setSoTimeout(20_000);
            c.reply();
            c.send("EHLO contoso.com");
            c.send("MAIL FROM:<chris@contoso.com>");
            c.send("RCPT TO:<kate@fabrikam.com>");
            assertThat(c.send("DATA").get(0)).startsWith("354");
            var took = dripUntilClosed(c.socket, "Subject: slow\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII),
                    Duration.ofMillis(300), Duration.ofSeconds(15));
            assertThat(took).isLessThan(Duration.ofSeconds(6));
            assertThat(server.queuedMessages()).isEmpty();
        }
    }

    @Test
    void aTlsHandshakeDrippedAnOctetAtATimeEndsAtItsDeadline() throws Exception {
        try (var server = TestServer.start(List.of("tls_handshake_timeout = \"3s\""), List.of());
             var c = new SmtpTestClient(server.port())) {
            c.socket.setSoTimeout(20_000);
            c.reply();
            c.send("EHLO contoso.com");
            assertThat(c.send("STARTTLS").get(0)).startsWith("220 ");
            // The start of a TLS 1.2 ClientHello record, never finished.
            byte[] hello = {0x16, 0x03, 0x01, 0x00, (byte) 0xc8, 0x01, 0x00, 0x00, (byte) 0xc4, 0x03, 0x03};
            var took = dripUntilClosed(c.socket, hello, Duration.ofMillis(300), Duration.ofSeconds(15));
            assertThat(took).isLessThan(Duration.ofSeconds(7));
        }
    }

    @Test
    void withDrippersFromManyAddressesOnEveryConnectionANewClientIsStillServed() throws Exception {
        // 55 client hosts, each in its own /24, two dripping connections each, against 100 slots
        // and a long command timeout: without deadlines that shrink and idle connections that
        // make room, every new client got 421 4.3.2 for as long as the drip lasted.
        try (var server = TestServer.start(List.of("max_connections = 100", "command_timeout = \"5m\""), List.of())) {
            int port = server.port();
            var drippers = new ArrayList<Socket>();
            var stop = new AtomicBoolean();
            try {
                for (int host = 1; host <= 55; host++) {
                    for (int n = 0; n < 2; n++) {
                        var s = new Socket();
                        s.bind(new InetSocketAddress("127.0." + host + ".1", 0));
                        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                        drippers.add(s);
                    }
                }
                for (var s : drippers) {
                    Thread.ofVirtual().start(() -> {
                        try {
                            var out = s.getOutputStream();
                            byte[] line = "EHLO slow.example".getBytes(StandardCharsets.US_ASCII);
                            for (int i = 0; !stop.get(); i = (i + 1) % line.length) {
                                out.write(line[i]);
                                out.flush();
                                Thread.sleep(500);
                            }
                        } catch (Exception e) {
                            // closed by the server
                        }
                    });
                }
                Thread.sleep(1500); // every slot taken, every dripper waiting over a second
                assertThat(server.server().connector(TestServer.FRONTEND).openConnections()).isEqualTo(100);

                for (int attempt = 0; attempt < 3; attempt++) {
                    try (var fresh = new Socket()) {
                        fresh.bind(new InetSocketAddress("127.0.200." + (attempt + 1), 0));
                        long start = System.nanoTime();
                        fresh.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                        fresh.setSoTimeout(5000);
                        var in = new BufferedReader(new InputStreamReader(fresh.getInputStream(),
                                StandardCharsets.US_ASCII));
                        String banner = in.readLine();
                        long millis = (System.nanoTime() - start) / 1_000_000;
                        assertThat(banner).as("banner for a new client, attempt " + attempt).startsWith("220 ");
                        assertThat(millis).as("time to the banner").isLessThan(1000);
                    }
                }
            } finally {
                stop.set(true);
                for (var s : drippers) {
                    s.close();
                }
            }
        }
    }

    @Test
    void slowSendersInDataMakeRoomForANewClientWhenTheConnectorIsFull() throws Exception {
        // 20 connections in DATA, each at about 600 octets/s: above min_data_rate, so their
        // deadlines keep moving, but far below what a full connector asks of a message transfer.
        try (var server = TestServer.start(List.of("max_connections = 20", "max_connections_per_ip = 20",
                "data_timeout = \"5m\""), List.of())) {
            int port = server.port();
            var senders = new ArrayList<Socket>();
            var stop = new AtomicBoolean();
            try {
                for (int i = 0; i < 20; i++) {
                    var s = new Socket();
                    s.bind(new InetSocketAddress("127.0." + (i + 1) + ".2", 0));
                    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                    s.setSoTimeout(10_000);
                    var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                    var out = s.getOutputStream();
                    in.readLine();
                    out.write("HELO slow.example\r\n".getBytes(StandardCharsets.US_ASCII));
                    in.readLine();
                    for (String cmd : new String[] {"MAIL FROM:<a@slow.example>", "RCPT TO:<kate@fabrikam.com>",
                        "DATA"}) {
                        out.write((cmd + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        in.readLine();
                    }
                    senders.add(s);
                }
                for (var s : senders) {
                    Thread.ofVirtual().start(() -> {
                        try {
                            var out = s.getOutputStream();
                            byte[] line = ("x".repeat(298) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                            while (!stop.get()) {
                                out.write(line);
                                out.flush();
                                Thread.sleep(500);
                            }
                        } catch (Exception e) {
                            // closed by the server
                        }
                    });
                }
                Thread.sleep(1500);
                assertThat(server.server().connector(TestServer.FRONTEND).openConnections()).isEqualTo(20);
                try (var fresh = new Socket()) {
                    fresh.bind(new InetSocketAddress("127.0.201.1", 0));
                    long start = System.nanoTime();
                    fresh.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                    fresh.setSoTimeout(5000);
                    var in = new BufferedReader(new InputStreamReader(fresh.getInputStream(), StandardCharsets.US_ASCII));
                    String banner = in.readLine();
                    assertThat(banner).as("banner for a new client").startsWith("220 ");
                    assertThat((System.nanoTime() - start) / 1_000_000).as("time to the banner").isLessThan(1000);
                }
            } finally {
                stop.set(true);
                for (var s : senders) {
                    s.close();
                }
            }
        }
    }
}
