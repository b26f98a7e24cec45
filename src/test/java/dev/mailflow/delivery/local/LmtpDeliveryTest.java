package dev.mailflow.delivery.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.client.ClientTimeouts;
import dev.mailflow.directory.Mailbox;
import dev.mailflow.queue.DeliveryOutcome;
import dev.mailflow.queue.Envelope;
import dev.mailflow.queue.EnvelopeRecipient;
import dev.mailflow.smtp.MailAddress;
import dev.mailflow.smtp.MailParameters;
import dev.mailflow.smtp.RcptParameters;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * LMTP (RFC 2033) against a scripted server: one reply per recipient after the content, each
 * deciding that recipient alone; RCPTs pipelined; the connection reused; a server that is down
 * or stalls defers every copy.
 */
class LmtpDeliveryTest {

    static final byte[] CONTENT = "Subject: t\r\n\r\n.leading dot\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);

    /** A scripted LMTP server: {@code afterData} gives the reply for each accepted recipient. */
    static final class FakeLmtp implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final AtomicInteger connections = new AtomicInteger();
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        final Function<String, String> rcpt;
        final Function<String, String> afterData;
        final List<String> extensions;
        volatile boolean stallAfterData;

        FakeLmtp(List<String> extensions, Function<String, String> rcpt, Function<String, String> afterData)
                throws Exception {
            this.extensions = extensions;
            this.rcpt = rcpt;
            this.afterData = afterData;
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        connections.incrementAndGet();
                        Thread.ofVirtual().start(() -> session(s));
                    } catch (Exception e) {
                        return;
                    }
                }
            });
        }

        int port() {
            return server.getLocalPort();
        }

        private void session(Socket s) {
            try (s; var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                 OutputStream out = s.getOutputStream()) {
                say(out, "220 lmtp.test LMTP ready");
                var accepted = new ArrayList<String>();
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                    String u = line.toUpperCase();
                    if (u.startsWith("LHLO")) {
                        var sb = new StringBuilder("250-lmtp.test\r\n");
                        for (int i = 0; i < extensions.size(); i++) {
                            sb.append(i == extensions.size() - 1 ? "250 " : "250-").append(extensions.get(i))
                                    .append("\r\n");
                        }
                        if (extensions.isEmpty()) {
                            sb = new StringBuilder("250 lmtp.test\r\n");
                        }
                        out.write(sb.toString().getBytes(StandardCharsets.US_ASCII));
                    } else if (u.startsWith("MAIL")) {
                        accepted.clear();
                        say(out, "250 2.1.0 OK");
                    } else if (u.startsWith("RCPT")) {
                        String who = line.substring(line.indexOf('<') + 1, line.indexOf('>'));
                        String r = rcpt.apply(who);
                        if (r.startsWith("250")) {
                            accepted.add(who);
                        }
                        say(out, r);
                    } else if (u.equals("DATA")) {
                        say(out, "354 go ahead");
                        String l;
                        while ((l = in.readLine()) != null && !l.equals(".")) {
                            lines.add("D: " + l);
                        }
                        if (stallAfterData) {
                            Thread.sleep(60_000);
                        }
                        for (String a : accepted) {
                            say(out, afterData.apply(a));
                        }
                    } else if (u.equals("RSET")) {
                        accepted.clear();
                        say(out, "250 2.0.0 OK");
                    } else if (u.equals("QUIT")) {
                        say(out, "221 2.0.0 bye");
                        return;
                    } else {
                        say(out, "500 5.5.1 what");
                    }
                }
            } catch (Exception e) {
                // the client went away
            }
        }

        private static void say(OutputStream out, String reply) throws Exception {
            out.write((reply + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        @Override
        public void close() throws Exception {
            server.close();
        }
    }

    static Envelope envelope(List<String> to) {
        var rcpts = to.stream().map(a -> new EnvelopeRecipient(mailbox(a).address(), RcptParameters.NONE)).toList();
        return new Envelope(1470439481000000L, "<t@contoso.com>", false, Instant.parse("2026-12-03T10:00:00Z"),
                "Default Frontend", "192.0.2.5", "contoso.com", "ESMTP", new MailAddress("chris", "contoso.com"),
                MailParameters.NONE, rcpts, CONTENT.length, null, null, false);
    }

    static Mailbox mailbox(String address) {
        int at = address.indexOf('@');
        return new Mailbox(new MailAddress(address.substring(0, at), address.substring(at + 1)), null, 0);
    }

    static List<LocalDelivery.Copy> copies(List<String> to) {
        var list = new ArrayList<LocalDelivery.Copy>();
        for (int i = 0; i < to.size(); i++) {
            list.add(new LocalDelivery.Copy(i, mailbox(to.get(i)).address(), mailbox(to.get(i))));
        }
        return list;
    }

    static Map<Integer, DeliveryOutcome> deliver(LmtpDelivery lmtp, List<String> to) {
        return lmtp.deliver(envelope(to), copies(to), () -> new ByteArrayInputStream(CONTENT), false);
    }

    @Test
    void eachRecipientGetsItsOwnOutcomeAndTheConnectionIsReused() throws Exception {
        try (var fake = new FakeLmtp(List.of("PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME"),
                who -> who.startsWith("nobody") ? "550 5.1.1 <" + who + "> User doesn't exist" : "250 2.1.5 OK",
                who -> who.startsWith("full") ? "452 4.2.2 <" + who + "> Mailbox is full" : "250 2.0.0 <" + who
                        + "> Saved");
             var lmtp = new LmtpDelivery(LmtpEndpoint.parse("127.0.0.1:" + fake.port()), "mail1.fabrikam.com",
                     ZoneOffset.UTC, ClientTimeouts.uniform(Duration.ofSeconds(5)))) {
            var out = deliver(lmtp, List.of("kate@fabrikam.com", "full@fabrikam.com", "nobody@fabrikam.com"));
            assertThat(out.get(0)).isInstanceOf(DeliveryOutcome.Delivered.class);
            assertThat(out.get(0).reason()).isEqualTo("delivered to lmtp.test lmtp 127.0.0.1:" + fake.port()
                    + ": 250 2.0.0 <kate@fabrikam.com> Saved");
            assertThat(out.get(1)).isInstanceOf(DeliveryOutcome.Deferred.class);
            assertThat(out.get(1).status()).hasToString("4.2.2");
            assertThat(out.get(2)).isInstanceOf(DeliveryOutcome.Failed.class);
            assertThat(out.get(2).status()).hasToString("5.1.1");
            assertThat(out.get(2).remoteReply().lines()).anyMatch(l -> l.contains("User doesn't exist"));
            // The content once, dot-stuffed, with our Received header in front.
            assertThat(fake.lines).filteredOn(l -> l.startsWith("D: ..leading dot")).hasSize(1);
            assertThat(fake.lines).anyMatch(l -> l.startsWith("D: Received: from contoso.com ([192.0.2.5])"));
            // RCPTs went as one group (RFC 2920), before any reply was read: three in a row.
            int first = fake.lines.indexOf("RCPT TO:<kate@fabrikam.com>");
            assertThat(fake.lines.subList(first, first + 3)).allMatch(l -> l.startsWith("RCPT TO:"));

            var again = deliver(lmtp, List.of("kate@fabrikam.com"));
            assertThat(again.get(0)).isInstanceOf(DeliveryOutcome.Delivered.class);
            assertThat(fake.connections.get()).as("the second message reuses the connection").isEqualTo(1);
            assertThat(fake.lines).contains("RSET");
        }
    }

    @Test
    void aServerThatIsDownOrStallsDefersEveryCopy() throws Exception {
        int closed;
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        try (var lmtp = new LmtpDelivery(LmtpEndpoint.parse("127.0.0.1:" + closed), "mail1.fabrikam.com",
                ZoneOffset.UTC, ClientTimeouts.uniform(Duration.ofSeconds(2)))) {
            var out = deliver(lmtp, List.of("kate@fabrikam.com", "ann@fabrikam.com"));
            assertThat(out.values()).allSatisfy(o -> {
                assertThat(o).isInstanceOf(DeliveryOutcome.Deferred.class);
                assertThat(o.status()).hasToString("4.4.1");
                assertThat(o.reason()).startsWith("connect to the LMTP server 127.0.0.1:" + closed + ": ");
            });
        }
        try (var fake = new FakeLmtp(List.of(), who -> "250 2.1.5 OK", who -> "250 2.0.0 OK");
             var lmtp = new LmtpDelivery(LmtpEndpoint.parse("127.0.0.1:" + fake.port()), "mail1.fabrikam.com",
                     ZoneOffset.UTC, ClientTimeouts.uniform(Duration.ofSeconds(2)))) {
            fake.stallAfterData = true;
            long t = System.nanoTime();
            var out = deliver(lmtp, List.of("kate@fabrikam.com"));
            assertThat(Duration.ofNanos(System.nanoTime() - t)).isLessThan(Duration.ofSeconds(10));
            assertThat(out.get(0)).isInstanceOf(DeliveryOutcome.Deferred.class);
            assertThat(out.get(0).status()).hasToString("4.4.2");
            assertThat(out.get(0).reason()).contains("did not answer during the message content in time");
        }
    }

    @Test
    void theEndpointIsParsedWithClearErrors() {
        assertThat(LmtpEndpoint.parse("unix:/run/dovecot/lmtp").toString()).isEqualTo("unix:/run/dovecot/lmtp");
        assertThat(LmtpEndpoint.parse("[::1]:24").toString()).isEqualTo("[::1]:24");
        assertThat(LmtpEndpoint.parse("127.0.0.1:24").port()).isEqualTo(24);
        for (String bad : List.of("unix:relative", "127.0.0.1", "host:99999", "::1:24", "")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> LmtpEndpoint.parse(bad))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"" + bad + "\"");
        }
    }
}
