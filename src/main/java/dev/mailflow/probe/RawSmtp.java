package dev.mailflow.probe;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * SMTP by hand for the checks that must send what a client library never would (a false end
 * of data, a relay attempt's odd address forms): lines out exactly as given, replies in whole.
 */
final class RawSmtp {

    private RawSmtp() {
    }

    static void send(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** The longest a whole reply may take to arrive, however slowly its bytes come. */
    static final long REPLY_LIMIT_NANOS = java.time.Duration.ofSeconds(60).toNanos();

    /**
     * One whole reply (continuation lines too), lines joined by LF. SECURITY: bounded in size
     * (a line of 2000 octets, a reply of 64 KiB) and in time (60 s, however slowly it comes):
     * beyond, an IOException, never a reply taken as complete.
     */
    static String reply(InputStream in) throws IOException {
        var all = new StringBuilder();
        long start = System.nanoTime();
        while (true) {
            var line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                if (line.size() >= 2000) {
                    throw new IOException("a reply line longer than 2000 octets");
                }
                if (System.nanoTime() - start > REPLY_LIMIT_NANOS) {
                    throw new IOException("the reply did not end within 60 seconds");
                }
                if (b != '\r') {
                    line.write(b);
                }
            }
            if (b < 0 && line.size() == 0) {
                throw new IOException("the server closed the connection");
            }
            String text = line.toString(StandardCharsets.ISO_8859_1);
            all.append(all.length() > 0 ? "\n" : "").append(text);
            if (all.length() > 64 * 1024) {
                throw new IOException("a reply longer than 64 KiB");
            }
            if (text.length() < 4 || text.charAt(3) != '-') {
                return all.toString();
            }
        }
    }

    /** The first line of a reply, printable ASCII only, bounded. */
    static String firstLine(String reply) {
        int nl = reply.indexOf('\n');
        String line = dev.mailflow.smtp.Reply.printable(nl < 0 ? reply : reply.substring(0, nl));
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    /**
     * One RCPT in a session of its own: greeting, EHLO, MAIL, the RCPT, RSET, QUIT; nothing is
     * sent as a message.
     *
     * @return the first line of the reply to RCPT
     * @throws Refused when a step before RCPT was not accepted (its first line)
     */
    static String rcpt(String host, int port, String helo, String from, String recipient, java.time.Duration timeout)
            throws IOException {
        try (var socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress(host, port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            var in = socket.getInputStream();
            var out = socket.getOutputStream();
            String greeting = reply(in);
            if (!greeting.startsWith("220")) {
                throw new Refused("the greeting was " + firstLine(greeting));
            }
            for (String command : java.util.List.of("EHLO " + helo, "MAIL FROM:<" + from + ">")) {
                send(out, command + "\r\n");
                String r = reply(in);
                if (!r.startsWith("250")) {
                    throw new Refused(command + " was answered " + firstLine(r));
                }
            }
            send(out, "RCPT TO:<" + recipient + ">\r\n");
            String answer = firstLine(reply(in));
            send(out, "RSET\r\n");
            reply(in);
            send(out, "QUIT\r\n");
            return answer;
        }
    }

    /** A session that did not get as far as RCPT. */
    static final class Refused extends IOException {
        Refused(String message) {
            super(message);
        }
    }
}
