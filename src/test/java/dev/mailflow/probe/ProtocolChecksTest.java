package dev.mailflow.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A server that answers a pipelined group with the right replies in the wrong order fails PIPELINING. */
class ProtocolChecksTest {

    @Test
    @Timeout(60)
    void repliesInTheWrongOrderFail() throws Exception {
        try (var server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        var s = server.accept();
                        Thread.ofVirtual().start(() -> reversing(s));
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            var checks = new ProtocolChecks("127.0.0.1", server.getLocalPort(), "probe.test", "a@probe.test",
                    "b@far.test", Duration.ofSeconds(3), Duration.ofSeconds(1)).run();
            var pipelining = checks.stream().filter(c -> c.name().equals("PIPELINING")).findFirst().orElseThrow();
            assertThat(pipelining.verdict()).as(pipelining.detail()).isEqualTo("fail");
            assertThat(pipelining.detail()).contains("the right replies in the wrong order");
        }
    }

    /** Answers each burst of commands, reversed: a desynchronising server. */
    private static void reversing(java.net.Socket s) {
        try (s; var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
             OutputStream out = s.getOutputStream()) {
            out.write("220 rev.test ESMTP\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            while (true) {
                var burst = new ArrayList<String>();
                String line = in.readLine();
                if (line == null) {
                    return;
                }
                burst.add(line);
                Thread.sleep(100);
                while (in.ready()) {
                    burst.add(in.readLine());
                }
                var replies = new ArrayList<String>();
                for (String c : burst) {
                    String u = c.toUpperCase();
                    replies.add(u.startsWith("EHLO") ? "250-rev.test\r\n250 PIPELINING" : u.equals("RCPT TO:<>")
                            ? "501 5.1.3 bad address" : u.equals("DATA") ? "554 5.5.1 no valid recipients"
                            : u.equals("QUIT") ? "221 bye" : "250 OK");
                }
                Collections.reverse(replies);
                for (String r : replies) {
                    out.write((r + "\r\n").getBytes(StandardCharsets.US_ASCII));
                }
                out.flush();
                if (burst.stream().anyMatch(c -> c.equalsIgnoreCase("QUIT"))) {
                    return;
                }
            }
        } catch (Exception e) {
            // the check went away
        }
    }
}
